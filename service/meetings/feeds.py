"""Meeting calendars as iCalendar (RFC 5545) feeds, per board and per person, and the personal feed token that lets
a calendar client subscribe without logging in (it stops working when the user logs out everywhere)."""

from datetime import datetime, timedelta

from icalendar import Calendar, Event
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session, col, select

from service.config import Settings
from service.persistence.tables import Board, Meeting, MeetingStatus, User

DURATION = timedelta(hours=2)  # the calendar's default length of a board meeting


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.key_for("calendar-feed"), salt="calendar-feed")


def feed_token(settings: Settings, user: User) -> str:
    """The personal token of the user's calendar URL, valid for their current session generation."""
    return _serializer(settings).dumps([user.id, user.session_generation])


def token_user(settings: Settings, session: Session, token: str) -> User | None:
    """The active user a feed token belongs to, if it is valid and current."""
    try:
        user_id, generation = _serializer(settings).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.is_active and user.session_generation == generation else None


def meetings_of(session: Session, board_ids: list[int]) -> list[tuple[Meeting, Board]]:
    """The boards' meetings in time order, cancelled ones included (so subscribed calendars drop them)."""
    return list(
        session.exec(
            select(Meeting, Board)
            .join(Board, col(Board.id) == col(Meeting.board_id))
            .where(col(Meeting.board_id).in_(board_ids))
            .order_by(col(Meeting.starts_at))
        ).all()
    )


def calendar(meetings: list[tuple[Meeting, Board]], *, name: str, base_url: str, now: datetime) -> bytes:
    """An iCalendar with one event per meeting; moved meetings keep their UID with a higher SEQUENCE."""
    cal = Calendar()
    cal.add("prodid", "-//boligsocial//møder//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    host = base_url.split("//")[-1].split("/")[0] or "boligsocial"
    for meeting, board in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.starts_at + DURATION)
        event.add("summary", f"Møde i {board.name}")
        event.add("sequence", meeting.version - 1)
        event.add("status", "CANCELLED" if meeting.status == MeetingStatus.cancelled else "CONFIRMED")
        event.add("url", f"{base_url.rstrip('/')}/moeder/{meeting.id}")
        if meeting.location:
            event.add("location", meeting.location)
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical
