"""Which cases a user may see: the one place every router asks (domain.md §3). Invisible is 404, never 403."""

from typing import Any

from sqlalchemy import and_, false, or_, true
from sqlmodel import Session, col, select

from service.authz import Actor
from service.errors import NotFound
from service.persistence.case_tables import Case
from service.persistence.tables import Board, BoardKind, Organisation, PlanParty, SystemRole
from workflows.registry import WORKFLOWS


def sees_everything(actor: Actor) -> bool:
    """The secretariat, administrators and analysts (read access) see every case."""
    return actor.is_secretariat or actor.is_admin or actor.system_role == SystemRole.analyst


def visible(session: Session, actor: Actor) -> Any:
    """A WHERE clause over `cases` that keeps exactly the cases the actor may see."""
    if sees_everything(actor):
        return true()
    boards = set(actor.seats)
    party_plans = (
        select(PlanParty.plan_id)
        .join(Organisation, col(Organisation.id) == col(PlanParty.organisation_id))
        .where(col(Organisation.code).in_(actor.acts_for))
    )
    local = select(Board.plan_id).where(Board.kind == BoardKind.local, col(Board.id).in_(boards))
    return or_(
        col(Case.plan_id).in_(actor.leads) if actor.leads else false(),  # project leaders: their plans
        col(Case.plan_id).in_(party_plans) if actor.acts_for else false(),  # housing organisations: plans they are party to
        col(Case.deciding_board_id).in_(boards) if boards else false(),  # board members: their board's cases
        col(Case.board_id).in_(boards) if boards else false(),  # a district board's own charter
        and_(col(Case.plan_id).in_(local), seen_by_local_groups()) if boards else false(),  # local groups
    )


def seen_by_local_groups() -> Any:
    """The states in which each case type shows a case to its plan's local group (declared per type)."""
    return or_(
        false(),
        *(
            and_(col(Case.case_type) == workflow.key, col(Case.state).in_(workflow.local_group_sees))
            for workflow in WORKFLOWS.values()
            if workflow.local_group_sees
        ),
    )


def visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    """The case if the actor may see it; 404 alike for unknown and invisible cases, so nothing leaks."""
    case = session.exec(select(Case).where(Case.id == case_id, visible(session, actor))).first()
    if case is None:
        raise NotFound(
            f"There is no case with id {case_id} that you can see.", da=f"Der er ingen sag med id {case_id}, som du kan se."
        )
    return case
