"""Revocable sessions: each user has a session generation; cookies and tokens carry the one they were issued in.

Logging out, changing the password and deactivating the account bump it, which ends every cookie and token
issued before. A UI session also ends `session_hours` after its login, however active it is.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from service.persistence.db import write_transaction
from service.persistence.tables import User


def end_all_sessions(session: Session, *, user_id: int) -> None:
    """Refuse every cookie and token the user holds now (the caller's own change commits with it)."""
    write_transaction(session)
    session.execute(update(User).where(col(User.id) == user_id).values(session_generation=col(User.session_generation) + 1))
    session.commit()


def cookie_values(user: User, *, now: datetime | None = None) -> dict[str, Any]:
    """What a fresh UI session stores about its login."""
    return {"user_id": user.id, "gen": user.session_generation, "login_at": int((now or datetime.now(UTC)).timestamp())}


def cookie_current(values: dict[str, Any], user: User, *, hours: int, now: datetime | None = None) -> bool:
    """True while the cookie's generation is the user's and its login is less than `hours` old."""
    login_at = values.get("login_at")
    if values.get("gen") != user.session_generation or not isinstance(login_at, int):
        return False
    age = (now or datetime.now(UTC)) - datetime.fromtimestamp(login_at, UTC)
    return timedelta(0) <= age < timedelta(hours=hours)
