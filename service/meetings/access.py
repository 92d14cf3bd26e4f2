"""Who may do what with a meeting, and the meeting row checked against the version its writer read."""

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from service.authz import Actor, current
from service.errors import Conflict, Forbidden, NotFound
from service.persistence.tables import Meeting, MeetingStatus, Membership, Seat
from workflows.calendar import LOCAL

MEETINGS = Meeting.__table__  # type: ignore[attr-defined]


def manages(actor: Actor) -> bool:
    """Only the secretariat manages meetings, agendas, votes cast at meetings and minutes (domain.md §3)."""
    return actor.is_secretariat


def require_manager(actor: Actor) -> None:
    """403 unless the actor is a secretariat caseworker."""
    if not manages(actor):
        raise Forbidden(
            "You may not do this: only the secretariat manages meetings and their agendas.",
            da="Du må ikke gøre dette: kun sekretariatet administrerer møder og dagsordener.",
        )


def sees_agenda(actor: Actor, board_id: int) -> bool:
    """The secretariat and the board's own members see its agendas and internal minutes."""
    return manages(actor) or board_id in actor.seats


def approves_minutes(session: Session, actor: Actor, meeting: Meeting, now: datetime) -> bool:
    """The board's members approve its minutes; whoever holds the secretary's seat writes them for the secretariat
    and does not approve them as a member."""
    if meeting.board_id not in actor.seats or actor.user_id is None:
        return False
    seats = session.exec(
        select(Membership.seat).where(
            Membership.user_id == actor.user_id,
            Membership.board_id == meeting.board_id,
            current(Membership, now.astimezone(LOCAL).date()),
        )
    ).all()
    return any(seat != Seat.secretary for seat in seats)


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    """The meeting, or a 404."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"There is no meeting with id {meeting_id}.", da=f"Der findes intet møde med id {meeting_id}.")
    return meeting


def when(meeting: Meeting) -> str:
    """The meeting's date and time as the boards write it."""
    return f"{meeting.starts_at.astimezone(LOCAL):%d.%m.%Y %H:%M}"


def check_version(meeting: Meeting, expected: int | None) -> None:
    """409 when the writer read an older version of the meeting."""
    if expected is not None and expected != meeting.version:
        raise Conflict(
            f"The meeting has changed since version {expected}: it is now version {meeting.version}. "
            "Reload it and try again.",
            da=f"Mødet er ændret siden version {expected}: det er nu version {meeting.version}. "
            "Hent det igen, og prøv igen.",
            version=meeting.version,
        )


def check_planned(meeting: Meeting) -> None:
    """409 for a cancelled meeting."""
    if meeting.status == MeetingStatus.cancelled:
        raise Conflict(
            f"The meeting on {when(meeting)} is cancelled.",
            da=f"Mødet {when(meeting)} er aflyst.",
            version=meeting.version,
        )


def check_ahead(meeting: Meeting, now: datetime) -> None:
    """409 for a meeting that has already started."""
    if meeting.starts_at <= now:
        raise Conflict(
            f"The meeting on {when(meeting)} has already taken place.",
            da=f"Mødet {when(meeting)} har allerede fundet sted.",
            version=meeting.version,
        )


def bump(session: Session, meeting: Meeting, **changes: Any) -> None:
    """Write changes with the next version, only if no one else wrote the meeting since it was read."""
    statement = (
        update(MEETINGS)
        .where(MEETINGS.c.id == meeting.id, MEETINGS.c.version == meeting.version)
        .values(version=meeting.version + 1, **changes)
    )
    if session.connection().execute(statement).rowcount != 1:
        raise Conflict(
            "Someone else changed the meeting at the same moment; reload it and try again.",
            da="En anden ændrede mødet i samme øjeblik; hent det igen, og prøv igen.",
        )
    session.expire(meeting)


def members_on_the_day(session: Session, meeting: Meeting) -> list[int]:
    """The people with a seat on the meeting's board on its day (who get its agenda and minutes)."""
    day = meeting.starts_at.astimezone(LOCAL).date()
    query = select(Membership.user_id).where(
        Membership.board_id == meeting.board_id,
        col(Membership.valid_from) <= day,
        col(Membership.valid_to).is_(None) | (col(Membership.valid_to) >= day),
    )
    return sorted(set(session.exec(query).all()))


def changeable(session: Session, meeting_id: int, expected_version: int | None, now: datetime) -> Meeting:
    """A planned meeting still ahead, at the version the writer saw (404 or 409 otherwise)."""
    meeting = get_meeting(session, meeting_id)
    check_version(meeting, expected_version)
    check_planned(meeting)
    check_ahead(meeting, now)
    return meeting
