"""The FastAPI application: JSON API under /api/v1, the Danish web UI, and the health probes."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.middleware.sessions import SessionMiddleware

from service import api_docs, errors, openapi
from service.api import attachments, auth, cases, export, health, meeting_documents, meetings, register, stats, workflows
from service.clock import REAL, Clock
from service.config import Settings, get_settings
from service.middleware import BodyLimit, SecurityHeaders
from service.persistence.db import demo_clock, demo_seeded, make_engine
from service.ui import case_pages, dashboard_data, dashboards, meeting_pages, views

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for the given settings (the process settings by default)."""
    settings = settings or get_settings()
    engine = make_engine(settings)
    app = FastAPI(
        title="boligsocial",
        version="0.1.0",
        summary="Sager for de boligsociale helhedsplaner i København",
        description="Case management for the boards that govern Copenhagen's LBF-funded master plans.",
        docs_url=None,  # served by api_docs from a package, not from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.probe_engine = make_engine(settings, pooled=False)  # readiness sees what a new connection sees
    app.state.demo = settings.demo if settings.demo is not None else _demo_in_database(engine)
    app.state.clock = _clock(settings, engine, demo=app.state.demo)
    errors.install(app)
    openapi.install(app)
    api_docs.install(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.key_for("session-cookie"),
        session_cookie="boligsocial_session",
        max_age=settings.session_hours * 3600,  # the browser's copy; the absolute limit is checked on each request
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
    app.include_router(health.router)
    app.include_router(auth.router, prefix=API_PREFIX)
    app.include_router(register.router, prefix=API_PREFIX)
    app.include_router(workflows.router, prefix=API_PREFIX)
    app.include_router(cases.router, prefix=API_PREFIX)
    app.include_router(meetings.router, prefix=API_PREFIX)
    app.include_router(meeting_documents.router, prefix=API_PREFIX)
    app.include_router(attachments.router, prefix=API_PREFIX)
    app.include_router(stats.router, prefix=API_PREFIX)
    app.include_router(export.router, prefix=API_PREFIX)
    app.include_router(views.router)
    app.include_router(case_pages.router)
    app.include_router(meeting_pages.router)
    app.include_router(dashboards.router)
    app.include_router(dashboard_data.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "ui" / "static"), name="static")
    # Outermost: bodies are bounded and headers added before anything else runs, authentication included.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, upload_bytes=settings.max_upload_mb << 20)
    return app


def _clock(settings: Settings, engine: Engine, *, demo: bool) -> Clock:
    """The business clock: from the settings, else the demo register's offset while the demo is on, else real."""
    if settings.clock_start is not None:
        return Clock.starting_at(settings.clock_start)
    if not demo:
        return REAL
    try:
        with Session(engine) as session:
            return demo_clock(session)
    except Exception:  # an unmigrated database has no demo clock yet
        return REAL


def _demo_in_database(engine: object) -> bool:
    try:
        with Session(engine) as session:  # type: ignore[arg-type]
            return demo_seeded(session)
    except Exception:  # an unmigrated or unreachable database simply has no demo yet
        return False
