"""Engines and sessions for SQLite (embedded) and PostgreSQL (production)."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine, select

from service.clock import REAL, Clock
from service.config import Settings, StartupError
from service.persistence.tables import SystemState


def make_engine(settings: Settings, *, pooled: bool = True) -> Engine:
    """An engine for the configured database; SQLite gets WAL, foreign keys and a busy timeout.

    `pooled=False` opens a new connection each time: for the readiness probe, which must see the database as a
    new connection would (a deleted or read-only file, a server switched to read-only).
    """
    url = settings.database
    pool: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    if url.get_backend_name() != "sqlite":
        # A pool as large as the server's thread pool, so concurrent requests do not open connections each time.
        return create_engine(url, **(pool or {"pool_pre_ping": True, "pool_size": 20, "max_overflow": 20}))
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)  # created here, once; every connection opens it with mode=rw, never creates it
    engine = create_engine(
        url,
        **pool,
        **({"creator": _open_existing(path)} if path else {}),
        connect_args={"check_same_thread": False, "timeout": 30},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    if path is not None:
        event.listen(engine, "connect", lambda _c, record: record.info.update(inode=path.stat().st_ino))
        event.listen(engine, "checkout", _same_file(path))
    # pysqlite begins transactions implicitly and late (not before SAVEPOINT or SELECT); take that over, so
    # transactions, savepoints and rollbacks mean on SQLite what they mean on PostgreSQL (SQLAlchemy's recipe).
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL (None for in-memory databases and other backends)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database[len("file:") :] if url.database.startswith("file:") else url.database)


def _open_existing(path: Path) -> Any:
    """Connections that fail when the file is gone instead of silently creating a new, empty database."""
    uri = f"{path.resolve().as_uri()}?mode=rw"
    return lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)


def _same_file(path: Path) -> Any:
    """A pooled connection to a file that was deleted or replaced would write where nobody reads: drop it."""

    def check(_dbapi: Any, record: Any, _proxy: Any) -> None:
        try:
            inode = path.stat().st_ino
        except OSError:
            inode = None
        if inode != record.info.get("inode"):
            raise DisconnectionError(f"the database file {path} was deleted or replaced")

    return check


def _sqlite_begin(connection: Connection) -> None:
    """BEGIN, or BEGIN IMMEDIATE for a transaction that will write (`write_transaction`): a writer then waits
    for the write lock up front instead of failing when a read snapshot turns out to be stale."""
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def write_transaction(session: Session) -> None:
    """Make the session's transaction a writer's: BEGIN IMMEDIATE on SQLite, after ending the caller's read
    transaction (a stale WAL snapshot cannot be upgraded to a write, and the write must see the newest rows).

    PostgreSQL runs at READ COMMITTED, where every statement already sees the newest committed rows: a read
    transaction simply goes on as the write one, on the connection it has (committing it would cost a round
    trip, a second pool checkout and its ping per request).
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        session.commit()
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


def demo_on(settings: Settings, engine: Engine) -> bool:
    """BOLIGSOCIAL_DEMO when set, else whether the demo register was seeded into the database."""
    if settings.demo is not None:
        return settings.demo
    try:
        with Session(engine) as session:
            return demo_seeded(session)
    except Exception:  # an unmigrated or unreachable database simply has no demo yet
        return False


def business_clock(settings: Settings, engine: Engine, *, demo: bool) -> Clock:
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
