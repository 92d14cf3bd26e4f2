"""Passwords (Argon2id through pwdlib) and short-lived signed access tokens (JWT through PyJWT)."""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt
from pwdlib import PasswordHash

from service.config import Settings

ALGORITHM = "HS256"
DEMO_PASSWORD = "demo"


@lru_cache
def password_hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; a user without a hash cannot log in with a password at all."""
    if not password_hash:
        # Spend the same time as a real check, so unknown users are not told apart by timing.
        password_hasher().verify(password, _dummy_hash())
        return False
    return password_hasher().verify(password, password_hash)


@lru_cache
def _dummy_hash() -> str:
    return hash_password("not-a-real-password")


def create_access_token(settings: Settings, *, user_id: int) -> tuple[str, int]:
    """A signed token for the user and its lifetime in seconds."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, settings.signing_key(), algorithm=ALGORITHM), int(lifetime.total_seconds())


def read_access_token(settings: Settings, token: str) -> int | None:
    """The user id in a valid, unexpired token signed with our key; None otherwise."""
    try:
        claims = jwt.decode(token, settings.signing_key(), algorithms=[ALGORITHM], options={"require": ["exp"]})
        return int(claims["sub"])
    except (jwt.InvalidTokenError, KeyError, ValueError):
        return None
