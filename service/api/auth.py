"""Logging in for API clients (OAuth2 password flow) and who the caller is."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import col, select

from service import register, schemas, sessions
from service.deps import ClockDep, CurrentUser, SessionDep, SettingsDep
from service.login import authenticate
from service.persistence.tables import Board, Membership, Organisation, Plan, PlanAssignment, User
from service.register import ref
from service.security import create_access_token

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/token",
    response_model=schemas.TokenPublic,
    responses={401: {"description": "Wrong credentials"}, 429: {"description": "Too many failures; see Retry-After"}},
)
def issue_token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, settings: SettingsDep
) -> schemas.TokenPublic:
    """Exchange a username and password for a short-lived bearer token."""
    user = authenticate(request, session, form.username, form.password)
    assert user.id is not None
    token, lifetime = create_access_token(settings, user_id=user.id, generation=user.session_generation)
    return schemas.TokenPublic(access_token=token, expires_in=lifetime)


@router.post("/auth/logout", status_code=204, responses={401: {"description": "Not logged in"}})
def log_out(user: CurrentUser, session: SessionDep) -> None:
    """End every session and token of the caller (the web UI's too)."""
    assert user.id is not None
    sessions.end_all_sessions(session, user_id=user.id)


@router.get("/me", response_model=schemas.MePublic, responses={401: {"description": "Not logged in"}})
def me(user: CurrentUser, session: SessionDep, clock: ClockDep) -> schemas.MePublic:
    """The logged-in user, their employer, the organisations they are designated to act for, seats and plans."""
    assert user.id is not None
    return describe_user(session, user, clock.today())


def describe_user(session: SessionDep, user: User, today: date) -> schemas.MePublic:
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    seats: dict[tuple[int, str], schemas.BoardSeatPublic] = {}
    rows = session.exec(
        select(Membership, Board, Organisation)
        .join(Board, col(Board.id) == col(Membership.board_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Membership.organisation_id))
        .where(Membership.user_id == user.id)
        .order_by(col(Membership.id))
    )
    for membership, board, represented in rows:
        key = (membership.board_id, membership.seat)
        if key not in seats:
            seats[key] = schemas.BoardSeatPublic(
                board=ref(board),
                seat=membership.seat,
                represents=[],
                valid_from=membership.valid_from,
                valid_to=membership.valid_to,
            )
        if represented is not None:
            seats[key].represents.append(ref(represented))
    plans = session.exec(
        select(Plan)
        .join(PlanAssignment, col(PlanAssignment.plan_id) == col(Plan.id))
        .where(PlanAssignment.user_id == user.id)
        .order_by(col(Plan.code))
    )
    return schemas.MePublic(
        id=user.id or 0,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        organisation=ref(organisation) if organisation else None,
        system_role=user.system_role,
        seats=list(seats.values()),
        acts_for=register.acts_for(session=session, user=user, today=today),
        project_leader_of=[ref(p) for p in plans],
    )
