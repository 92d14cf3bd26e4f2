"""The secretariat's meeting calendar: create, move and cancel meetings (cancelled meetings are kept)."""

from datetime import datetime

from sqlmodel import Session, col, select

from service.authz import Actor
from service.errors import Conflict, Invalid
from service.forecasting import slip_events
from service.meetings import access
from service.meetings.schemas import MeetingCreate, MeetingUpdate
from service.persistence.db import write_transaction
from service.persistence.meeting_tables import AgendaItem
from service.persistence.tables import Board, Meeting, MeetingStatus


def _in_future(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise Invalid(
            "A meeting can only be planned ahead: starts_at is in the past.",
            [{"field": "starts_at", "message": "must be in the future"}],
            da="Et møde kan kun planlægges frem i tiden: starts_at ligger i fortiden.",
        )


def create_meeting(*, session: Session, actor: Actor, body: MeetingCreate, now: datetime) -> Meeting:
    """A new meeting on a board's calendar."""
    access.require_manager(actor)
    _in_future(body.starts_at, now)
    write_transaction(session)
    if session.get(Board, body.board_id) is None:
        raise Invalid(
            f"There is no board with id {body.board_id}.",
            [{"field": "board_id", "message": "no such board"}],
            da=f"Der findes ingen bestyrelse med id {body.board_id}.",
        )
    meeting = Meeting(board_id=body.board_id, starts_at=body.starts_at, location=body.location)
    session.add(meeting)
    session.commit()
    return meeting


def move_meeting(*, session: Session, actor: Actor, meeting_id: int, body: MeetingUpdate, now: datetime) -> Meeting:
    """A new time or place for a planned meeting that has not taken place."""
    access.require_manager(actor)
    if body.starts_at is not None:
        _in_future(body.starts_at, now)
    write_transaction(session)
    meeting = access.changeable(session, meeting_id, body.expected_version, now)
    changes = body.model_dump(exclude_unset=True, exclude={"expected_version"})
    with slip_events.watching(session, meeting_id, actor.user_id, now):  # cases it pushes later keep the slip
        access.bump(session, meeting, **changes)
    session.commit()
    return access.get_meeting(session, meeting_id)


def cancel_meeting(*, session: Session, actor: Actor, meeting_id: int, expected_version: int, now: datetime) -> Meeting:
    """Cancel a meeting (kept, marked cancelled); refused while cases still stand undecided on its agenda."""
    access.require_manager(actor)
    write_transaction(session)
    meeting = access.changeable(session, meeting_id, expected_version, now)
    waiting = session.exec(
        select(AgendaItem.title).where(AgendaItem.meeting_id == meeting_id, col(AgendaItem.decided_at).is_(None))
    ).all()
    if waiting:
        names = "; ".join(waiting)
        raise Conflict(
            f"Take the items off the agenda first (each case goes back to waiting for a meeting): {names}.",
            da=f"Tag først punkterne af dagsordenen (hver sag venter så igen på et møde): {names}.",
            version=meeting.version,
        )
    with slip_events.watching(session, meeting_id, actor.user_id, now):
        access.bump(session, meeting, status=MeetingStatus.cancelled)
    session.commit()
    return access.get_meeting(session, meeting_id)
