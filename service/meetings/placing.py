"""Items reach an agenda as a side of the case's own action, in its transaction: scheduling a case on a meeting
puts it on that meeting's agenda, and informing the central board puts an information item on its next meeting.

Called from the action's step (service/cases/step.py); it reads the case type's declaration, never action names.
"""

from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, select

from service.meetings.drafting import draft
from service.persistence.case_tables import Case
from service.persistence.meeting_tables import AgendaItem, ItemKind
from service.persistence.tables import Board, Meeting
from workflows.spec import Action, Effect, Workflow

MEETINGS = Meeting.__table__  # type: ignore[attr-defined]
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


def after_action(session: Session, *, workflow: Workflow, action: Action, case: Case, action_data: dict[str, Any]) -> None:
    """Agenda items that follow from an accepted action on a case."""
    if action.dest is not None and action.dest == workflow.on_agenda and action_data.get("meeting_id"):
        place(session, case=case, meeting_id=action_data["meeting_id"], kind=ItemKind.decision)
    if Effect.information_item in action.effects and case.data.get("central_board_meeting_id"):
        place(session, case=case, meeting_id=case.data["central_board_meeting_id"], kind=ItemKind.information)
