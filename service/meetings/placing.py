"""Items reach an agenda as a side of the case's own action, in its transaction: scheduling a case on a meeting
puts it on that meeting's agenda, and informing the central board puts an information item on its next meeting.

Called from the action's step (service/cases/step.py); it reads the case type's declaration, never action names.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from service.meetings.drafting import draft
from service.persistence.case_tables import Case
from service.persistence.meeting_tables import AgendaItem, ItemKind
from service.persistence.tables import Board, Meeting
from workflows.spec import Action, Effect, Outcome

if TYPE_CHECKING:
    from service.cases.situation import Situation

MEETINGS = Meeting.__table__  # type: ignore[attr-defined]
ITEMS = AgendaItem.__table__  # type: ignore[attr-defined]
OUTCOME_TEXT = {
    Outcome.approved: "Godkendt.",
    Outcome.rejected: "Afvist.",
    Outcome.returned: "Sendt tilbage til sekretariatet.",
    Outcome.postponed: "Udsat til et senere møde.",
}
FIRST_ITEM = 2  # item 1 is always the approval of the agenda


def next_position(session: Session, meeting_id: int) -> int:
    """The number the next item of the meeting's agenda gets."""
    last = session.exec(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting_id)).one()
    return max(FIRST_ITEM, (last or 0) + 1)


def place(session: Session, *, case: Case, meeting_id: int, kind: ItemKind) -> AgendaItem:
    """The case's item on the meeting's agenda: the existing one, or a new one drafted from the case."""
    found = session.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id, AgendaItem.case_id == case.id)
    ).first()
    if found is not None:
        return found
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None
    board = session.get(Board, meeting.board_id)
    assert board is not None
    item = draft(
        session, case=case, board=board, meeting_id=meeting_id, kind=kind, position=next_position(session, meeting_id)
    )
    session.add(item)
    session.flush()
    # Another agenda now: a writer holding the meeting's old version must reload (its order may be stale).
    session.connection().execute(update(MEETINGS).where(MEETINGS.c.id == meeting_id).values(version=MEETINGS.c.version + 1))
    return item


def _left_agenda(
    session: Session, *, meeting_id: int, case: Case, action: Action, actor_id: int | None, now: datetime
) -> None:
    """The case left the meeting's agenda by its own action: the item records the outcome, or goes (withdrawn)."""
    mine = (ITEMS.c.meeting_id == meeting_id) & (ITEMS.c.case_id == case.id) & ITEMS.c.decided_at.is_(None)
    if action.outcome is None:
        session.connection().execute(delete(ITEMS).where(mine))
        return
    text = OUTCOME_TEXT[action.outcome]
    values = dict(outcome=action.outcome, decision_text=text, decided_at=now, decided_by_id=actor_id)
    session.connection().execute(update(ITEMS).where(mine).values(**values))


def after_action(
    session: Session,
    *,
    here: "Situation",
    action: Action,
    case: Case,
    action_data: dict[str, Any],
    actor_id: int | None,
    now: datetime,
) -> None:
    """Agenda items that follow from an accepted action on a case."""
    workflow = here.workflow
    if action.dest is not None and action.dest == workflow.on_agenda and action_data.get("meeting_id"):
        place(session, case=case, meeting_id=action_data["meeting_id"], kind=ItemKind.decision)
    elif here.case.state == workflow.on_agenda != case.state and here.round.meeting is not None:
        _left_agenda(session, meeting_id=here.round.meeting, case=case, action=action, actor_id=actor_id, now=now)
    if Effect.information_item in action.effects and case.data.get("central_board_meeting_id"):
        place(session, case=case, meeting_id=case.data["central_board_meeting_id"], kind=ItemKind.information)
