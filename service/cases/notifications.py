"""Outbox rows for an action's notifications, with their recipients resolved when the event happens."""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from service.persistence.case_tables import OUTBOX
from service.persistence.tables import (
    Board,
    BoardKind,
    Designation,
    Membership,
    Organisation,
    OrganisationKind,
    PlanAssignment,
    User,
)
from workflows.spec import Action, Audience

if TYPE_CHECKING:
    from service.cases.situation import Situation


def _boards(*board_ids: int | None) -> Any:
    return select(col(Membership.user_id)).where(col(Membership.board_id).in_(board_ids), col(Membership.valid_to).is_(None))


def _party_people(codes: frozenset[str]) -> Any:
    """People designated for the party organisations, or representing them on a governing board (domain.md §3.1)."""
    orgs = select(col(Organisation.id)).where(col(Organisation.code).in_(codes))
    designated = select(col(Designation.user_id)).where(col(Designation.organisation_id).in_(orgs))
    seated = (
        select(col(Membership.user_id))
        .join(Board, col(Board.id) == col(Membership.board_id))
        .where(col(Membership.organisation_id).in_(orgs), Board.kind != BoardKind.local)
    )
    return designated.union(seated)


AUDIENCES: dict[Audience, Callable[["Situation"], Any]] = {
    Audience.secretariat: lambda here: (
        select(col(User.id))
        .join(Organisation, col(Organisation.id) == col(User.organisation_id))
        .where(Organisation.kind == OrganisationKind.secretariat)
    ),
    Audience.applicant: lambda here: select(col(User.id)).where(User.id == here.case.created_by_id),
    Audience.deciding_board: lambda here: _boards(here.setting.deciding_board_id),
    Audience.central_board: lambda here: _boards(here.setting.central_board_id),
    Audience.local_group: lambda here: _boards(*here.setting.local_board_ids),
    Audience.parties: lambda here: _party_people(here.setting.parties),
    Audience.project_leaders: lambda here: select(col(PlanAssignment.user_id)).where(
        PlanAssignment.plan_id == here.case.plan_id
    ),
}


def recipients(session: Session, audience: Audience, here: "Situation") -> list[int]:
    """The active users an audience names for this case (the relay leaves out whoever caused the event)."""
    query = select(col(User.id)).where(col(User.is_active), col(User.id).in_(AUDIENCES[audience](here)))
    return sorted({uid for uid in session.exec(query) if uid is not None})


def enqueue(session: Session, action: Action, *, case_id: int, event_id: int, now: datetime) -> None:
    """One outbox row per audience the action notifies; recipients are resolved when the row is delivered."""
    if action.notifies:
        rows = [
            dict(case_id=case_id, event_id=event_id, topic=action.name, audience=a, created_at=now) for a in action.notifies
        ]
        session.connection().execute(insert(OUTBOX), rows)
