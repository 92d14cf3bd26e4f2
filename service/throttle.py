"""Login throttling: after 5 failures for an account, or from an address, within 15 minutes, wait."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from service.persistence.case_tables import LoginFailure
from service.persistence.db import write_transaction

WINDOW = timedelta(minutes=15)
LIMIT = 5


def retry_after(session: Session, *, username: str, address: str, now: datetime | None = None) -> int | None:
    """Seconds to wait before the next attempt, or None when an attempt may be made now."""
    now = now or datetime.now(UTC)
    since = now - WINDOW
    waits = []
    for column, value in ((LoginFailure.username, username), (LoginFailure.address, address)):
        count, oldest = session.exec(
            select(func.count(), func.min(LoginFailure.at)).where(column == value, col(LoginFailure.at) > since)
        ).one()
        if count >= LIMIT and oldest is not None:
            waits.append(int((_aware(oldest) + WINDOW - now).total_seconds()) + 1)
    return max(waits) if waits else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_failure(session: Session, *, username: str, address: str, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    write_transaction(session)  # on SQLite a read snapshot cannot turn writer once another write has committed
    session.add(LoginFailure(username=username[:100], address=address[:100], at=now))
    session.execute(delete(LoginFailure).where(col(LoginFailure.at) < now - 4 * WINDOW))  # keep the table small
    session.commit()


def clear(session: Session, *, username: str) -> None:
    """A successful login forgets the account's failures (not the address's)."""
    write_transaction(session)
    session.execute(delete(LoginFailure).where(col(LoginFailure.username) == username))
    session.commit()
