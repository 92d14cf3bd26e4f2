"""Who may see what (domain.md §3): the one place every router asks. Invisible is 404, never 403.

Cases: the secretariat, administrators and analysts see all; project leaders their plans' cases; housing
organisations the cases of plans they are party to; board members their board's cases. Two narrower ways in:
a plan's local group sees its cases while they are in consultation, and the central board's members see a case
once an action declared to notify the central board (e.g. `inform_central_board`) has been taken on it.
Those who see a case only through one of the narrower ways are *outsiders*: they see only the comments and
documents marked `shared`, and what they add themselves is shared.
"""

from functools import cache
from typing import Any

from sqlalchemy import and_, exists, false, or_, true
from sqlmodel import Session, col, select

from service.authz import Actor
from service.errors import Forbidden, NotFound
from service.persistence.case_tables import Case, CaseComment, CaseEvent, Visibility
from service.persistence.tables import Board, BoardKind, Organisation, PlanParty, SystemRole
from workflows.registry import WORKFLOWS
from workflows.spec import Audience


def sees_everything(actor: Actor) -> bool:
    """The secretariat, administrators and analysts (read access) see every case."""
    return actor.is_secretariat or actor.is_admin or actor.system_role == SystemRole.analyst


def _insider(actor: Actor) -> Any:
    """A WHERE clause over `cases` for the cases the actor sees in full, internal comments and documents included."""
    if sees_everything(actor):
        return true()
    boards = set(actor.seats)
    party_plans = (
        select(PlanParty.plan_id)
        .join(Organisation, col(Organisation.id) == col(PlanParty.organisation_id))
        .where(col(Organisation.code).in_(actor.acts_for))
        .correlate(None)
    )
    return or_(
        col(Case.plan_id).in_(actor.leads) if actor.leads else false(),  # project leaders: their plans
        col(Case.plan_id).in_(party_plans) if actor.acts_for else false(),  # housing organisations: plans they are party to
        col(Case.deciding_board_id).in_(boards) if boards else false(),  # board members: their board's cases
        col(Case.board_id).in_(boards) if boards else false(),  # a district board's own charter
    )


@cache
def central_notices() -> tuple[tuple[str, str], ...]:
    """(case type, action) pairs declared to notify the central board."""
    return tuple((w.key, a.name) for w in WORKFLOWS.values() for a in w.actions if Audience.central_board in a.notifies)


def _outsider(actor: Actor) -> Any:
    """A WHERE clause for the cases the actor sees only as a local group in consultation or as a notified central board."""
    boards = set(actor.seats)
    if not boards:
        return false()
    # Uncorrelated on purpose: a query that joins boards itself (the dashboards) must not swallow these FROMs.
    local = select(Board.plan_id).where(Board.kind == BoardKind.local, col(Board.id).in_(boards)).correlate(None)
    central_seat = select(Board.id).where(Board.kind == BoardKind.central, col(Board.id).in_(boards)).correlate(None)
    notified = exists(
        select(CaseEvent.id)
        .where(
            col(CaseEvent.case_id) == col(Case.id),
            or_(*(and_(col(Case.case_type) == t, col(CaseEvent.action) == a) for t, a in central_notices()), false()),
        )
        .correlate_except(CaseEvent)  # the case's own events, also inside a query over case_events (the export)
    )
    return or_(
        and_(col(Case.plan_id).in_(local), seen_by_local_groups()),  # local groups, in the states their type declares
        and_(exists(central_seat), notified),  # the central board, once informed
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


# The clause for every actor of one shape: it reads nothing of the actor but the parts in the key (the register
# is read when the query runs), and building it cost about a sixth of an action's CPU. Clauses are immutable, so
# one serves every request of that shape, and SQLAlchemy's compiled cache recognises it. The case types are part
# of the key (their declared local-group states are in the clause; a test registers a sixth). Bounded by clearing.
_CLAUSES: dict[tuple[Any, ...], Any] = {}


def visible(session: Session, actor: Actor) -> Any:
    """A WHERE clause over `cases` that keeps exactly the cases the actor may see."""
    shape = (sees_everything(actor), actor.leads, actor.acts_for, frozenset(actor.seats), tuple(WORKFLOWS))
    clause = _CLAUSES.get(shape)
    if clause is None:
        if len(_CLAUSES) >= 1024:
            _CLAUSES.clear()
        clause = _CLAUSES[shape] = or_(_insider(actor), _outsider(actor))
    return clause


def visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    """The case if the actor may see it; 404 alike for unknown and invisible cases, so nothing leaks."""
    case = session.exec(select(Case).where(Case.id == case_id, visible(session, actor))).first()
    if case is None:
        raise NotFound(
            f"There is no case with id {case_id} that you can see.", da=f"Der er ingen sag med id {case_id}, som du kan se."
        )
    return case


def sees_internal(session: Session, actor: Actor, case: Case) -> bool:
    """True when the actor sees the case's internal comments and documents, not only the shared ones."""
    return (
        sees_everything(actor)
        or session.exec(select(Case.id).where(Case.id == case.id, _insider(actor))).first() is not None
    )


def readable_comments(actor: Actor) -> Any:
    """A WHERE clause over `case_comments` keeping those the actor may read (on cases the actor can see)."""
    insider_cases = select(Case.id).where(_insider(actor))
    return or_(col(CaseComment.visibility) == Visibility.shared, col(CaseComment.case_id).in_(insider_cases))


def shown_visibilities(session: Session, actor: Actor, case: Case) -> tuple[str, ...]:
    """The visibilities of comments and documents the actor may read on this case."""
    return ("internal", "shared") if sees_internal(session, actor, case) else ("shared",)


def content_filter(session: Session, actor: Actor, case: Case, column: Any) -> Any:
    """A WHERE clause on a `visibility` column keeping what the actor may read on this case."""
    return true() if sees_internal(session, actor, case) else column == Visibility.shared


def choose_visibility(session: Session, actor: Actor, case: Case, requested: Visibility | None) -> Visibility:
    """The visibility of something the actor adds: internal by default; outsiders add shared content only."""
    if sees_internal(session, actor, case):
        return requested or Visibility.internal
    if requested == Visibility.internal:
        raise Forbidden(
            "You may not add internal content to this case: you see only what is shared with the consultation.",
            da="Du må ikke tilføje internt indhold til denne sag: du ser kun det, der er delt med høringen.",
        )
    return Visibility.shared
