"""Readiness: is the database reachable and migrated, is the broker reachable, is a worker alive."""

from datetime import UTC, datetime

from kombu.connection import Connection as Broker
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from service.config import Settings
from service.persistence import migrate
from service.persistence.db import read_state

HEARTBEAT_KEY = "worker_heartbeat"


def check_database(engine: Engine, probe: Engine | None = None) -> tuple[bool, str]:
    """Ready when a write can begin on a fresh connection (from `probe`, unpooled) and the schema is migrated."""
    try:
        with (probe or engine).connect() as connection:
            connection.execute(text("SELECT 1"))
            connection.rollback()
            if migrate.pending(engine):
                return False, "reachable, but migrations are pending: run `boligsocial db upgrade`"
            if problem := _why_not_writable(connection):
                return False, problem
        return True, "reachable, writable and migrated"
    except SQLAlchemyError as error:
        return False, f"unreachable: {str(getattr(error, 'orig', None) or error).splitlines()[0]}"


def _why_not_writable(connection: Connection) -> str | None:
    """None when this connection can write; otherwise why not (read-only file, standby server, read-only default)."""
    if connection.dialect.name == "sqlite":
        # Take the write lock and make a write that changes nothing: a read-only file refuses it ("attempt to
        # write a readonly database"); a deleted file cannot even be opened (connections use mode=rw).
        connection.execution_options(sqlite_begin="IMMEDIATE").execute(text("DELETE FROM system_state WHERE 0 = 1"))
        connection.rollback()
        return None
    recovering, read_only = connection.execute(
        text("SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only')")
    ).one()
    connection.rollback()
    if recovering:
        return "reachable, but a standby in recovery: it cannot take writes"
    return "reachable, but read-only (default_transaction_read_only is on)" if read_only == "on" else None


def check_broker(settings: Settings) -> tuple[bool, str]:
    try:
        with Broker(settings.broker, transport_options=settings.broker_transport_options(), connect_timeout=2) as c:
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


def mail_backlog(engine: Engine) -> tuple[bool, str]:
    """The outbox and mail backlog, failures and the last delivery; informational, actions go on without mail."""
    from service.notify.delivery import backlog  # the health check loads the notify package only when asked

    try:
        with Session(engine) as session:
            found = backlog(session)
    except SQLAlchemyError:
        return False, "unknown (database unavailable)"
    last = found["last_delivery"]
    detail = (
        f"{found['outbox']} outbox rows and {found['waiting']} mails waiting, {found['failing']} failing; "
        f"last delivery {last.isoformat() if isinstance(last, datetime) else 'never'}"
    )
    if found["last_error"]:
        detail += f"; last error: {found['last_error']}"
    return not found["failing"] and not found["stuck_outbox"], detail


def readiness(engine: Engine, settings: Settings, probe: Engine | None = None) -> tuple[bool, dict[str, dict[str, object]]]:
    """Each dependency with ok and a plain-language detail; ready when the database and broker are."""
    checks = {
        "database": check_database(engine, probe),
        "broker": check_broker(settings),
        "worker": worker_heartbeat(engine),
        "mail": mail_backlog(engine),
    }
    ready = checks["database"][0] and checks["broker"][0]
    return ready, {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()}
