"""Engines and sessions for SQLite (embedded) and PostgreSQL (production)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine, select

from service.clock import REAL, Clock
from service.config import Settings, StartupError
from service.persistence.tables import SystemState


def make_engine(settings: Settings) -> Engine:
    """An engine for the configured database; SQLite gets WAL, foreign keys and a busy timeout."""
    url = settings.database
    if url.get_backend_name() != "sqlite":
        # A pool as large as the server's thread pool, so concurrent requests do not open connections each time.
        return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=20)
    if url.database and url.database != ":memory:":
        from pathlib import Path

        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    # pysqlite begins transactions implicitly and late (not before SAVEPOINT or SELECT); take that over, so
    # transactions, savepoints and rollbacks mean on SQLite what they mean on PostgreSQL (SQLAlchemy's recipe).
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_begin(connection: Connection) -> None:
    """BEGIN, or BEGIN IMMEDIATE for a transaction that will write (`write_transaction`): a writer then waits
    for the write lock up front instead of failing when a read snapshot turns out to be stale."""
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def write_transaction(session: Session) -> None:
    """Start the session's next transaction as a writer (BEGIN IMMEDIATE on SQLite; nothing to do on PostgreSQL)."""
    if session.in_transaction():
        session.commit()  # end the caller's read transaction: the write must see the newest rows
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # no implicit BEGIN: the engine's "begin" event sends it
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() folds only ASCII; Danish text needs Æ, Ø and Å folded too.
    dbapi_connection.create_function("lower", 1, lambda v: v.lower() if isinstance(v, str) else v, deterministic=True)


def check_database(engine: Engine, settings: Settings) -> None:
    """Connect once, turning any failure into one line that names the setting."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise StartupError(
            f"cannot reach the database in BOLIGSOCIAL_DATABASE_URL ({settings.redacted_database_url()}): {reason}"
        ) from None


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed on success and rolled back on any exception (for workers and commands)."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def read_state(session: Session, key: str) -> SystemState | None:
    return session.get(SystemState, key)


def write_state(session: Session, key: str, value: str) -> None:
    """Insert or update one system_state row (the caller commits)."""
    row = session.get(SystemState, key)
    now = datetime.now(UTC)
    if row is None:
        session.add(SystemState(key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
        session.add(row)


DEMO_CLOCK = "demo_clock_offset_seconds"


def demo_clock(session: Session) -> Clock:
    """The demo register's business clock: the offset seed-demo stored, so the demo's world runs on in real time."""
    row = read_state(session, DEMO_CLOCK)
    return Clock(timedelta(seconds=int(row.value))) if row else REAL


def demo_seeded(session: Session) -> bool:
    return session.exec(select(SystemState).where(SystemState.key == "demo_register")).first() is not None
