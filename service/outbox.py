"""Outbox rows for an action's notifications, with their recipients resolved when the event happens."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert
from sqlmodel import Session, col, select

from service.persistence.case_tables import OUTBOX
from service.persistence.tables import Membership, Organisation, OrganisationKind, PlanAssignment, User
from workflows.spec import Action

if TYPE_CHECKING:
    from service.cases import Situation


def recipients(session: Session, audience: str, here: "Situation") -> list[int]:
    """The active users an audience names for this case (the relay leaves out whoever caused the event)."""
    case, setting = here.case, here.setting
    users = select(col(User.id)).where(col(User.is_active))
    if audience == "secretariat":
        query = users.join(Organisation, col(Organisation.id) == col(User.organisation_id)).where(
            Organisation.kind == OrganisationKind.secretariat
        )
    elif audience == "applicant":
        query = users.where(User.id == case.created_by_id)
    elif audience in ("deciding_board", "central_board", "local_group"):
        board_sets: dict[str, set[int | None]] = {
            "deciding_board": {setting.deciding_board_id},
            "central_board": {setting.central_board_id},
            "local_group": set(setting.local_board_ids),
        }
        boards = board_sets[audience]
        members = select(col(Membership.user_id)).where(
            col(Membership.board_id).in_(boards), col(Membership.valid_to).is_(None)
        )
        query = users.where(col(User.id).in_(members))
    elif audience == "parties":
        codes = setting.parties
        administrators = select(col(Organisation.administrator_id)).where(col(Organisation.code).in_(codes))
        orgs = select(col(Organisation.id)).where(
            col(Organisation.code).in_(codes) | col(Organisation.id).in_(administrators)
        )
        query = users.where(col(User.organisation_id).in_(orgs))
    elif audience == "project_leaders":
        query = users.where(
            col(User.id).in_(select(col(PlanAssignment.user_id)).where(PlanAssignment.plan_id == case.plan_id))
        )
    else:
        raise ValueError(f"unknown audience {audience!r}")
    return sorted({uid for uid in session.exec(query) if uid is not None})


def enqueue(session: Session, action: Action, *, case_id: int, event_id: int, now: datetime) -> None:
    """One outbox row per audience the action notifies; recipients are resolved when the row is delivered."""
    if action.notifies:
        rows = [
            dict(case_id=case_id, event_id=event_id, topic=action.name, audience=a, created_at=now) for a in action.notifies
        ]
        session.connection().execute(insert(OUTBOX), rows)
