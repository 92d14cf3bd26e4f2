"""FastAPI dependencies as short Annotated aliases: the session, settings and the logged-in user."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from service.authz import Actor, load_actor
from service.cases.visibility import visible_case
from service.clock import Clock
from service.config import Settings
from service.errors import Unauthorized
from service.persistence.case_tables import Case
from service.persistence.tables import User
from service.security import read_access_token
from workflows.schemas import MAX_ID

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    # Objects stay readable after commit: apply_action sets what it wrote instead of reading it back.
    # The session knows where this installation keeps documents, for services that file one (the minutes).
    documents = request.app.state.settings.var_dir / "documents"
    with Session(request.app.state.engine, expire_on_commit=False, info={"documents": documents}) as session:
        yield session


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SessionDep = Annotated[Session, Depends(get_session)]


def usable(user: User | None, *, demo: bool) -> bool:
    """An account may act only while active; demo accounts only while the demo is on."""
    return user is not None and user.is_active and (demo or not user.is_demo)


def get_current_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    """The user behind the bearer token; 401 without a valid one."""
    claims = read_access_token(settings, token) if token else None
    user = session.get(User, claims[0]) if claims is not None else None
    if not usable(user, demo=request.app.state.demo) or (user and claims and user.session_generation != claims[1]):
        if token:
            raise Unauthorized(
                "The access token is invalid or has expired; log in again at POST /api/v1/auth/token.",
                da="Adgangsnøglen er ugyldig eller udløbet; log ind igen på POST /api/v1/auth/token.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        raise Unauthorized(
            "Log in first: send 'Authorization: Bearer <token>' from POST /api/v1/auth/token.",
            da="Log ind først: send 'Authorization: Bearer <token>' fra POST /api/v1/auth/token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    assert user is not None
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_actor(user: CurrentUser, session: SessionDep, clock: ClockDep) -> Actor:
    """The logged-in user with their seats, designations and assignments on today's date, loaded once per request."""
    return load_actor(session, user, clock.today())


ActorDep = Annotated[Actor, Depends(get_actor)]


def get_visible_case(case_id: Annotated[int, Path(ge=1, le=MAX_ID)], actor: ActorDep, session: SessionDep) -> Case:
    """The case in the path if the actor may see it; 404 alike for unknown and invisible cases."""
    return visible_case(session, actor, case_id)


VisibleCase = Annotated[Case, Depends(get_visible_case)]
