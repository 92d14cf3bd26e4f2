"""Login throttling, counted before the password is checked so parallel guesses cannot slip past it.

Every attempt is recorded first (under the write lock); a successful login then removes the attempts of that
account from that address. Limits within 15 minutes: 5 open attempts for one account from one address, and 20 from
one address for any accounts. A guesser elsewhere therefore cannot lock the owner out of their own address.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, text
from sqlmodel import Session, col, select

from service.errors import Throttled
from service.persistence.case_tables import LoginFailure
from service.persistence.db import write_transaction

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5  # per account and address
ADDRESS_LIMIT = 20  # per address, all accounts together
PG_LOCK = 0x6C6F67696E  # advisory lock serialising the count-and-insert on PostgreSQL ("login")


def begin_attempt(session: Session, *, username: str, address: str, now: datetime | None = None) -> None:
    """Count one attempt, atomically with the check of the limits; Throttled (429) when a limit is reached."""
    now = now or datetime.now(UTC)
    username, address = username[:100], address[:100]
    write_transaction(session)  # BEGIN IMMEDIATE on SQLite: the count and the insert see the same rows
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK})
    wait = _retry_after(session, username=username, address=address, now=now)
    if wait is not None:
        session.rollback()
        raise Throttled(
            f"Too many failed logins; try again in {wait // 60 + 1} minutes.",
            da=f"For mange forkerte forsøg; prøv igen om {wait // 60 + 1} minutter.",
            headers={"Retry-After": str(wait)},
        )
    session.add(LoginFailure(username=username, address=address, at=now))
    session.execute(delete(LoginFailure).where(col(LoginFailure.at) < now - 4 * WINDOW))  # keep the table small
    session.commit()


def _retry_after(session: Session, *, username: str, address: str, now: datetime) -> int | None:
    """Seconds until the next attempt is allowed, or None when one may be made now."""
    waits = []
    limits = (
        (ADDRESS_LIMIT, LoginFailure.address == address),
        (ACCOUNT_LIMIT, (LoginFailure.address == address) & (LoginFailure.username == username)),
    )
    for limit, condition in limits:
        count, oldest = session.exec(
            select(func.count(), func.min(LoginFailure.at)).where(condition, col(LoginFailure.at) > now - WINDOW)
        ).one()
        if count >= limit and oldest is not None:
            waits.append(max(1, int((_aware(oldest) + WINDOW - now).total_seconds()) + 1))
    return max(waits) if waits else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def succeeded(session: Session, *, username: str, address: str) -> None:
    """A successful login forgets the account's attempts from this address (not other accounts' or addresses')."""
    write_transaction(session)
    session.execute(
        delete(LoginFailure).where(col(LoginFailure.username) == username[:100], col(LoginFailure.address) == address[:100])
    )
    session.commit()
