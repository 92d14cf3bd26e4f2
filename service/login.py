"""Logging in with a username and password, under the login throttle (for the API and the web UI alike)."""

from fastapi import Request
from sqlmodel import Session, select

from service import throttle
from service.deps import usable
from service.errors import Unauthorized
from service.persistence.tables import User
from service.security import verify_password


def authenticate(request: Request, session: Session, username: str, password: str) -> User:
    """The user with this password, under the login throttle; 429 or 401 otherwise."""
    address = request.client.host if request.client else "unknown"
    throttle.begin_attempt(session, username=username, address=address)  # counted even if what follows fails
    user = session.exec(select(User).where(User.username == username)).first()
    session.commit()  # no transaction stays open during the deliberately slow password check
    password_ok = verify_password(password, user.password_hash if user else None)
    if not (password_ok and usable(user, demo=request.app.state.demo)):
        raise Unauthorized(
            "Unknown username or wrong password.",
            da="Ukendt brugernavn eller forkert adgangskode.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    throttle.succeeded(session, username=username, address=address)
    assert user is not None
    return user
