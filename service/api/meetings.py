"""Meetings over HTTP: the calendar, agendas, votes and decisions. Documents and calendar feeds: meeting_documents.py."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from service import register, schemas
from service.api.register import IsoDateTime
from service.deps import ActorDep, ClockDep, SessionDep
from service.meetings import access, agenda, decisions, items, manage, minutes, views
from service.meetings.schemas import (
    AgendaOrder,
    AgendaRequest,
    DecisionRequest,
    ItemUpdate,
    MeetingAct,
    MeetingCreate,
    MeetingDetail,
    MeetingUpdate,
    VoteRequest,
)
from workflows.schemas import MAX_ID

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "Not logged in"}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"description": "No such meeting"}}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    403: {"description": "Only the secretariat manages meetings; the detail names the rule"},
    409: {"description": "Stale expected_version, or not possible now (cancelled, taken place, decided)"},
    422: {"description": "Invalid input; the errors name each field"},
}

router = APIRouter(tags=["meetings"], responses=ERRORS)


def _detail(session: SessionDep, actor: ActorDep, clock: ClockDep, meeting_id: int) -> MeetingDetail:
    session.expire_all()
    meeting = access.get_meeting(session, meeting_id)
    return views.describe(session, actor=actor, meeting=meeting, now=clock.now())


@router.get("/meetings", response_model=list[schemas.MeetingPublic])
def list_meetings(
    _actor: ActorDep,
    session: SessionDep,
    board_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    after: IsoDateTime | None = None,
    before: IsoDateTime | None = None,
) -> list[schemas.MeetingPublic]:
    """Board meetings in time order, cancelled ones marked (their dates are part of the register)."""
    return register.list_meetings(session=session, board_id=board_id, after=after, before=before)


@router.post("/meetings", status_code=201, response_model=MeetingDetail, responses=WRITE_ERRORS)
def create_meeting(
    body: MeetingCreate, actor: ActorDep, session: SessionDep, clock: ClockDep, response: Response
) -> MeetingDetail:
    """Plan a meeting of a board (secretariat)."""
    meeting = manage.create_meeting(session=session, actor=actor, body=body, now=clock.now())
    assert meeting.id is not None
    response.headers["Location"] = f"/api/v1/meetings/{meeting.id}"
    return _detail(session, actor, clock, meeting.id)


@router.get("/meetings/{meeting_id}", response_model=MeetingDetail, responses=NOT_FOUND)
def get_meeting(meeting_id: Id, actor: ActorDep, session: SessionDep, clock: ClockDep) -> MeetingDetail:
    """The meeting; its agenda (items, proposals, decisions, approvals) for the secretariat and the board's members."""
    return _detail(session, actor, clock, meeting_id)


@router.patch("/meetings/{meeting_id}", response_model=MeetingDetail, responses=WRITE_ERRORS)
def move_meeting(
    meeting_id: Id, body: MeetingUpdate, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> MeetingDetail:
    """Move a meeting to another time or place (secretariat); the cases' expected decision dates follow."""
    manage.move_meeting(session=session, actor=actor, meeting_id=meeting_id, body=body, now=clock.now())
    return _detail(session, actor, clock, meeting_id)


@router.delete("/meetings/{meeting_id}", response_model=MeetingDetail, responses=WRITE_ERRORS)
def cancel_meeting(
    meeting_id: Id,
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
    expected_version: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> MeetingDetail:
    """Cancel a meeting: it stays in the calendar marked cancelled (secretariat)."""
    manage.cancel_meeting(
        session=session, actor=actor, meeting_id=meeting_id, expected_version=expected_version, now=clock.now()
    )
    return _detail(session, actor, clock, meeting_id)


@router.post("/meetings/{meeting_id}/agenda", status_code=201, response_model=MeetingDetail, responses=WRITE_ERRORS)
def add_to_agenda(
    meeting_id: Id, body: AgendaRequest, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> MeetingDetail:
    """Put a case on the agenda; a decision or discussion item schedules the case through its workflow."""
    agenda.add_item(session=session, actor=actor, meeting_id=meeting_id, body=body, now=clock.now())
    return _detail(session, actor, clock, meeting_id)


@router.post("/meetings/{meeting_id}/agenda/order", response_model=MeetingDetail, responses=WRITE_ERRORS)
def order_agenda(meeting_id: Id, body: AgendaOrder, actor: ActorDep, session: SessionDep, clock: ClockDep) -> MeetingDetail:
    """Put the agenda's items in this order (item 1 stays the approval of the agenda)."""
    agenda.order_items(
        session=session, actor=actor, meeting_id=meeting_id, case_ids=body.case_ids, expected_version=body.expected_version
    )
    return _detail(session, actor, clock, meeting_id)


@router.post("/meetings/{meeting_id}/agenda/confirm", response_model=MeetingDetail, responses=WRITE_ERRORS)
def confirm_agenda(meeting_id: Id, body: MeetingAct, actor: ActorDep, session: SessionDep, clock: ClockDep) -> MeetingDetail:
    """Confirm the agenda (secretariat)."""
    agenda.confirm(
        session=session, actor=actor, meeting_id=meeting_id, expected_version=body.expected_version, now=clock.now()
    )
    return _detail(session, actor, clock, meeting_id)


@router.post("/meetings/{meeting_id}/agenda/send", response_model=MeetingDetail, responses=WRITE_ERRORS)
def send_agenda(meeting_id: Id, body: MeetingAct, actor: ActorDep, session: SessionDep, clock: ClockDep) -> MeetingDetail:
    """Send the confirmed agenda to the board's members (queued for the mail relay, with a link to the PDF)."""
    agenda.send(session=session, actor=actor, meeting_id=meeting_id, expected_version=body.expected_version, now=clock.now())
    return _detail(session, actor, clock, meeting_id)


@router.patch("/meetings/{meeting_id}/items/{case_id}", response_model=MeetingDetail, responses=WRITE_ERRORS)
def update_item(
    meeting_id: Id, case_id: Id, body: ItemUpdate, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> MeetingDetail:
    """Edit an undecided item: kind, indstilling ("at" points), sagsfremstilling, publish flags of item and bilag."""
    items.update_item(session=session, actor=actor, meeting_id=meeting_id, case_id=case_id, body=body)
    return _detail(session, actor, clock, meeting_id)


@router.delete("/meetings/{meeting_id}/items/{case_id}", response_model=MeetingDetail, responses=WRITE_ERRORS)
def remove_item(
    meeting_id: Id,
    case_id: Id,
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
    expected_version: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> MeetingDetail:
    """Take an undecided item off the agenda; its case goes back to waiting for a meeting (postponed)."""
    items.remove_item(
        session=session,
        actor=actor,
        meeting_id=meeting_id,
        case_id=case_id,
        expected_version=expected_version,
        now=clock.now(),
    )
    return _detail(session, actor, clock, meeting_id)


@router.post("/meetings/{meeting_id}/items/{case_id}/votes", response_model=MeetingDetail, responses=WRITE_ERRORS)
def record_vote(
    meeting_id: Id, case_id: Id, body: VoteRequest, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> MeetingDetail:
    """A party organisation's vote cast at the meeting, recorded by the secretariat through the case's vote action."""
    decisions.record_vote(session=session, actor=actor, meeting_id=meeting_id, case_id=case_id, body=body, now=clock.now())
    return _detail(session, actor, clock, meeting_id)


@router.post("/meetings/{meeting_id}/items/{case_id}/decision", response_model=MeetingDetail, responses=WRITE_ERRORS)
def record_decision(
    meeting_id: Id, case_id: Id, body: DecisionRequest, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> MeetingDetail:
    """The item's beslutning per "at" point; the outcome runs the case's action (refused when the votes do not carry it)."""
    decisions.record_decision(
        session=session, actor=actor, meeting_id=meeting_id, case_id=case_id, body=body, now=clock.now()
    )
    return _detail(session, actor, clock, meeting_id)


@router.post("/meetings/{meeting_id}/minutes/approvals", response_model=MeetingDetail, responses=WRITE_ERRORS)
def approve_minutes(meeting_id: Id, actor: ActorDep, session: SessionDep, clock: ClockDep) -> MeetingDetail:
    """A member approves the minutes (time-stamped)."""
    minutes.approve(session=session, actor=actor, meeting_id=meeting_id, now=clock.now())
    return _detail(session, actor, clock, meeting_id)


@router.delete("/meetings/{meeting_id}/minutes/approvals", response_model=MeetingDetail, responses=WRITE_ERRORS)
def withdraw_approval(meeting_id: Id, actor: ActorDep, session: SessionDep, clock: ClockDep) -> MeetingDetail:
    """A member withdraws their own approval, until the minutes are final."""
    minutes.withdraw(session=session, actor=actor, meeting_id=meeting_id, now=clock.now())
    return _detail(session, actor, clock, meeting_id)


@router.post("/meetings/{meeting_id}/minutes/finalise", response_model=MeetingDetail, responses=WRITE_ERRORS)
def finalise_minutes(
    meeting_id: Id, body: MeetingAct, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> MeetingDetail:
    """The secretariat finalises the minutes; approvals can no longer change."""
    minutes.finalise(
        session=session, actor=actor, meeting_id=meeting_id, expected_version=body.expected_version, now=clock.now()
    )
    return _detail(session, actor, clock, meeting_id)
