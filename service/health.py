"""Readiness: is the database reachable and migrated, is the broker reachable, is a worker alive."""

from datetime import UTC, datetime

from kombu.connection import Connection
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from service.config import Settings
from service.persistence import migrate
from service.persistence.db import read_state

HEARTBEAT_KEY = "worker_heartbeat"


def check_database(engine: Engine) -> tuple[bool, str]:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        if migrate.pending(engine):
            return False, "reachable, but migrations are pending: run `boligsocial db upgrade`"
        return True, "reachable and migrated"
    except SQLAlchemyError as error:
        return False, f"unreachable: {str(getattr(error, 'orig', None) or error).splitlines()[0]}"


def check_broker(settings: Settings) -> tuple[bool, str]:
    try:
        with Connection(settings.broker, transport_options=settings.broker_transport_options(), connect_timeout=2) as c:
            c.ensure_connection(max_retries=1, timeout=2)
        return True, "reachable"
    except Exception as error:  # kombu raises transport-specific errors; any failure means not ready
        return False, f"unreachable: {error}"


def worker_heartbeat(engine: Engine) -> tuple[bool, str]:
    """When a worker last reported; informational, the API serves without one."""
    try:
        with Session(engine) as session:
            row = read_state(session, HEARTBEAT_KEY)
    except SQLAlchemyError:
        return False, "unknown (database unavailable)"
    if row is None:
        return False, "no worker has reported yet"
    age = (datetime.now(UTC) - row.updated_at).total_seconds()
    return age < 300, f"last heartbeat {int(age)} s ago from {row.value}"


def readiness(engine: Engine, settings: Settings) -> tuple[bool, dict[str, dict[str, object]]]:
    """Each dependency with ok and a plain-language detail; ready when the database and broker are."""
    checks = {
        "database": check_database(engine),
        "broker": check_broker(settings),
        "worker": worker_heartbeat(engine),
    }
    ready = checks["database"][0] and checks["broker"][0]
    return ready, {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()}
