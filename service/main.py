"""The FastAPI application: JSON API under /api/v1, the Danish web UI, and the health probes."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from service import api_docs, errors, openapi
from service.api import (
    attachments,
    auth,
    cases,
    export,
    health,
    mails,
    meeting_documents,
    meetings,
    notifications,
    register,
    stats,
    workflows,
    written,
)
from service.config import Settings, get_settings
from service.middleware import BodyLimit, SecurityHeaders
from service.persistence.db import business_clock, demo_on, make_engine
from service.ui import (
    budget_editor,
    case_actions,
    case_files,
    case_list,
    case_pages,
    dashboard_data,
    dashboards,
    error_pages,
    meeting_pages,
    new_case,
    notify_pages,
    tasks,
    views,
    written_pages,
)
from workflows import calendar

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for the given settings (the process settings by default)."""
    settings = settings or get_settings()
    engine = make_engine(settings)
    calendar.configure(settings.closed_days)
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
    app.state.demo = demo_on(settings, engine)
    app.state.clock = business_clock(settings, engine, demo=app.state.demo)
    errors.install(app)
    error_pages.install(app)  # pages get a page, the API keeps problem+json
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
    app.include_router(written.router, prefix=API_PREFIX)
    app.include_router(attachments.router, prefix=API_PREFIX)
    app.include_router(notifications.router, prefix=API_PREFIX)
    app.include_router(mails.router, prefix=API_PREFIX)
    app.include_router(stats.router, prefix=API_PREFIX)
    app.include_router(export.router, prefix=API_PREFIX)
    app.include_router(views.router)
    app.include_router(tasks.router)
    app.include_router(new_case.router)
    app.include_router(budget_editor.router)
    app.include_router(case_list.router)
    app.include_router(case_pages.router)
    app.include_router(case_actions.router)
    app.include_router(case_files.router)
    app.include_router(notify_pages.router)
    app.include_router(meeting_pages.router)
    app.include_router(written_pages.router)
    app.include_router(dashboards.router)
    app.include_router(dashboard_data.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "ui" / "static"), name="static")
    # Outermost: bodies are bounded and headers added before anything else runs, authentication included.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, upload_bytes=settings.max_upload_mb << 20)
    return app
