"""Liveness and readiness probes, open to anonymous callers."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.health import readiness

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "A dependency is down; the body says which"}})
def readyz(request: Request) -> JSONResponse:
    """Ready when the database is reachable and migrated and the broker is reachable; the worker's heartbeat and
    the mail backlog are reported beside, for operators (actions go on without them)."""
    state = request.app.state
    ready, checks = readiness(state.engine, state.settings, state.probe_engine)
    down = [name for name, check in checks.items() if not check["ok"] and name in ("database", "broker")]
    body = {"status": "ready" if ready else "not ready", "down": down, "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)
