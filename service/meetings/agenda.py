"""A meeting's agenda: the cases proposed for it, putting a case on it (through the case's engine), the order,
confirming it and sending it to the members (as meeting_outbox rows for the mail relay)."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from service.authz import Actor
from service.cases import apply_action, load
from service.cases.visibility import visible
from service.errors import Conflict, Invalid
from service.meetings import access, placing
from service.meetings.schemas import AgendaRequest, ProposedPublic
from service.persistence.case_tables import Case
from service.persistence.db import write_transaction
from service.persistence.meeting_tables import AgendaItem, ItemKind, MeetingMessage
from service.persistence.tables import Board, BoardKind, Meeting, MeetingStatus
from workflows import calendar
from workflows.registry import WORKFLOWS
from workflows.spec import Effect, Workflow

ITEMS = AgendaItem.__table__  # type: ignore[attr-defined]


def schedulable_states(workflow: Workflow) -> set[str]:
    """The states a case of this type can be put on an agenda from (ready for decision)."""
    return {s for a in workflow.actions if a.dest and a.dest == workflow.on_agenda for s in a.source}


def informing_states(workflow: Workflow) -> set[str]:
    """The states a case reaches when a board must be informed of it (an information item)."""
    return {a.dest for a in workflow.actions if Effect.information_item in a.effects and a.dest}


def _first_open_meeting(session: Session, board_id: int, today: datetime) -> int | None:
    """The board's first planned meeting whose agenda has not closed: where ready cases are proposed."""
    for meeting in session.exec(
        select(Meeting)
        .where(Meeting.board_id == board_id, Meeting.status == MeetingStatus.planned, col(Meeting.starts_at) > today)
        .order_by(col(Meeting.starts_at))
    ):
        if calendar.agenda_cutoff(meeting.starts_at.astimezone(calendar.LOCAL).date()) >= today.date():
            return meeting.id
    return None


def proposed(session: Session, *, meeting: Meeting, now: datetime) -> list[ProposedPublic]:
    """Cases ready for this board's decision before the cut-off (and notices it must hear), not yet on an agenda."""
    if _first_open_meeting(session, meeting.board_id, now.astimezone(calendar.LOCAL)) != meeting.id:
        return []  # a case is proposed for the first meeting whose cut-off it can still make
    # A case ready for decision is on no agenda (its state says so); a notice is placed once.
    placed = select(AgendaItem.case_id).where(AgendaItem.kind == ItemKind.information)
    board = session.get(Board, meeting.board_id)
    central = board is not None and board.kind == BoardKind.central
    found = []
    for case in session.exec(select(Case).where(col(Case.is_open), col(Case.id).not_in(placed)).order_by(col(Case.id))):
        workflow = WORKFLOWS[case.case_type]
        if case.deciding_board_id == meeting.board_id and case.state in schedulable_states(workflow):
            kind = ItemKind.decision
        elif central and case.state in informing_states(workflow):
            kind = ItemKind.information
        else:
            continue
        found.append(ProposedPublic(case_id=case.id or 0, reference=case.reference, title=case.title, kind=kind))
    return found


def add_item(*, session: Session, actor: Actor, meeting_id: int, body: AgendaRequest, now: datetime) -> AgendaItem:
    """Put a case on the agenda: a decision or discussion moves it to the agenda state through its engine."""
    access.require_manager(actor)
    access.changeable(session, meeting_id, body.expected_version, now)
    here = load(session, actor, body.case_id, visible=visible(session, actor))
    if body.kind == ItemKind.information:
        write_transaction(session)
        informed = placing.place(session, case=here.case, meeting_id=meeting_id, kind=body.kind)
        session.commit()
        return informed
    workflow = here.workflow
    schedule = next((a for a in workflow.actions_from(here.case.state) if a.dest == workflow.on_agenda), None)
    if schedule is None:
        raise Conflict(
            f"Case {here.case.reference} is '{here.case.state}': only a case ready for decision can be put on an agenda.",
            da=f"Sag {here.case.reference} er '{here.case.state}': kun en sag, der er klar til beslutning, kan sættes på "
            "en dagsorden.",
            state=here.case.state,
        )

    def kind_it(outcome: object) -> AgendaItem:
        item = placing.place(session, case=here.case, meeting_id=meeting_id, kind=body.kind)
        item.kind = body.kind
        session.flush()
        return item

    item: AgendaItem = apply_action(
        session=session,
        actor=actor,
        case_id=body.case_id,
        action=schedule.name,
        expected_version=here.case.version,
        data={"meeting_id": meeting_id},
        now=now,
        respond=kind_it,
    )
    return item


def order_items(*, session: Session, actor: Actor, meeting_id: int, case_ids: list[int], expected_version: int) -> None:
    """Number the agenda's items in the order given (every item exactly once)."""
    access.require_manager(actor)
    write_transaction(session)
    meeting = access.get_meeting(session, meeting_id)
    access.check_version(meeting, expected_version)
    items = {i.case_id: i for i in session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id))}
    if sorted(case_ids) != sorted(items):
        raise Invalid(
            "Give every case on the agenda exactly once.",
            [{"field": "case_ids", "message": f"must be a permutation of {sorted(items)}"}],
            da="Angiv hver sag på dagsordenen præcis én gang.",
        )
    for number, case_id in enumerate(case_ids, start=placing.FIRST_ITEM):
        session.connection().execute(update(ITEMS).where(ITEMS.c.id == items[case_id].id).values(position=number))
    access.bump(session, meeting)
    session.commit()


def confirm(*, session: Session, actor: Actor, meeting_id: int, expected_version: int, now: datetime) -> None:
    """The secretariat confirms the agenda: it can now be sent."""
    access.require_manager(actor)
    write_transaction(session)
    meeting = access.changeable(session, meeting_id, expected_version, now)
    access.bump(session, meeting, agenda_confirmed_at=now)
    session.commit()


def send(*, session: Session, actor: Actor, meeting_id: int, expected_version: int, now: datetime) -> int:
    """Send the confirmed agenda to the board's members: one meeting_outbox row each; how many were written."""
    access.require_manager(actor)
    write_transaction(session)
    meeting = access.changeable(session, meeting_id, expected_version, now)
    if meeting.agenda_confirmed_at is None or meeting.agenda_sent_at is not None:
        raise Conflict(
            "Only a confirmed agenda that has not been sent can be sent.",
            da="Kun en bekræftet dagsorden, der ikke er sendt, kan sendes.",
            version=meeting.version,
        )
    members = access.members_on_the_day(session, meeting)
    data = {
        "agenda": f"/api/v1/meetings/{meeting_id}/agenda",
        "page": f"/moeder/{meeting_id}",
        "starts_at": str(meeting.starts_at),
    }
    for user_id in sorted(set(members)):
        session.add(
            MeetingMessage(
                meeting_id=meeting_id,
                topic="agenda_sent",
                audience="board_member",
                recipient_id=user_id,
                data=data,
                created_at=now,
            )
        )
    access.bump(session, meeting, agenda_sent_at=now)
    session.commit()
    return len(set(members))
