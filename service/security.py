"""Passwords (Argon2id through pwdlib) and short-lived signed access tokens (JWT through PyJWT)."""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt
from pwdlib import PasswordHash
from zxcvbn import zxcvbn

from service.config import Settings

ALGORITHM = "HS256"
DEMO_PASSWORD = "demo"
MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3  # zxcvbn's scale 0-4; 3 is "safely unguessable: moderate protection from offline attacks"


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a new password is refused (too short, or common or guessable per zxcvbn's lists), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    if zxcvbn(password[:100], user_inputs=list(user_inputs))["score"] < MIN_PASSWORD_SCORE:
        return "the password is too common or easy to guess; use a few unrelated words or a password manager"
    return None


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


def create_access_token(settings: Settings, *, user_id: int, generation: int) -> tuple[str, int]:
    """A signed token for the user's current session generation and its lifetime in seconds."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "gen": generation, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, settings.key_for("access-token"), algorithm=ALGORITHM), int(lifetime.total_seconds())


def read_access_token(settings: Settings, token: str) -> tuple[int, int] | None:
    """The user id and session generation in a valid, unexpired token signed with our key; None otherwise."""
    try:
        claims = jwt.decode(
            token, settings.key_for("access-token"), algorithms=[ALGORITHM], options={"require": ["exp", "sub", "gen"]}
        )
        return int(claims["sub"]), int(claims["gen"])
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
        return None
