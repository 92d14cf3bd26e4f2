"""Read models of meetings: the meeting with its agenda (items, proposals, decisions) as the caller may see it."""

from datetime import datetime

from sqlmodel import Session, col, select

from service.authz import Actor
from service.cases.situation import read_round
from service.meetings import access, agenda, rounds
from service.meetings.schemas import ApprovalPublic, AttachmentPublic, ItemPublic, MeetingDetail, PointDecision
from service.persistence.case_tables import Case
from service.persistence.meeting_tables import AgendaItem, MinutesApproval
from service.persistence.tables import Board, Meeting, User
from service.register import meeting_public, ref
from workflows import calendar
from workflows.registry import WORKFLOWS


def item_public(session: Session, item: AgendaItem, case: Case | None, meeting_id: int) -> ItemPublic:
    """One agenda item with its case's state, the advisory statements given in its round and, while the case is on
    this meeting, the votes cast."""
    votes: dict[str, str] = {}
    said = rounds.statements(session, case, rounds.round_events(session, case, meeting_id=meeting_id)) if case else []
    if case is not None and case.state == WORKFLOWS[case.case_type].on_agenda:
        current = read_round(session, case, WORKFLOWS[case.case_type])
        votes = dict(current.votes) if current.meeting == meeting_id else {}
    return ItemPublic(
        number=item.position,
        case_id=item.case_id,
        reference=case.reference if case else None,
        kind=item.kind,
        title=item.title,
        proposal=item.proposal,
        presentation=item.presentation,
        economy=item.economy,
        attachments=[AttachmentPublic(**a) for a in item.attachments],
        public=item.public,
        closed_reason=item.closed_reason,
        state=case.state if case else None,
        votes=votes,
        statements=said,
        outcome=item.outcome,
        points=[PointDecision(**p) for p in item.points],
        decision_text=item.decision_text,
        decided_at=item.decided_at,
    )


def items_of(session: Session, meeting_id: int) -> list[ItemPublic]:
    """The meeting's items in agenda order."""
    rows = session.exec(
        select(AgendaItem, Case)
        .join(Case, col(Case.id) == col(AgendaItem.case_id))
        .where(AgendaItem.meeting_id == meeting_id)
        .order_by(col(AgendaItem.position), col(AgendaItem.id))
    ).all()
    return [item_public(session, item, case, meeting_id) for item, case in rows]


def approvals_of(session: Session, meeting_id: int) -> list[ApprovalPublic]:
    rows = session.exec(
        select(MinutesApproval, User)
        .join(User, col(User.id) == col(MinutesApproval.user_id))
        .where(MinutesApproval.meeting_id == meeting_id)
        .order_by(col(MinutesApproval.approved_at))
    ).all()
    return [ApprovalPublic(user=ref(u), approved_at=a.approved_at, withdrawn_at=a.withdrawn_at) for a, u in rows]


def describe(session: Session, *, actor: Actor, meeting: Meeting, now: datetime) -> MeetingDetail:
    """The meeting as the caller sees it: everyone its time and place; members and the secretariat its agenda."""
    board = session.get(Board, meeting.board_id)
    assert board is not None and meeting.id is not None
    day = meeting.starts_at.astimezone(calendar.LOCAL).date()
    sees = access.sees_agenda(actor, meeting.board_id)
    return MeetingDetail(
        **meeting_public(meeting, board).model_dump(),
        day=day,
        agenda_cutoff=calendar.agenda_cutoff(day),
        agenda_send_on=calendar.subtract_working_days(day, calendar.AGENDA_SEND_WORKING_DAYS),
        agenda_confirmed_at=meeting.agenda_confirmed_at,
        agenda_sent_at=meeting.agenda_sent_at,
        minutes_finalised_at=meeting.minutes_finalised_at,
        sees_agenda=sees,
        items=items_of(session, meeting.id) if sees else [],
        proposed=agenda.proposed(session, meeting=meeting, now=now) if access.manages(actor) else [],
        approvals=approvals_of(session, meeting.id) if sees else [],
    )
