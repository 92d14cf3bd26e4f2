"""Every Core statement on the action path, built once: per action only their parameters change.

A reader sees here what an action costs. The ORM is for reads that are not on the hot path and for cold writes.
"""

from sqlalchemy import bindparam, insert, select, update

from service.persistence.case_tables import CASE_DEADLINES, CASE_EVENTS, CASES, OUTBOX
from service.persistence.tables import Meeting, MeetingStatus

MEETINGS = Meeting.__table__  # type: ignore[attr-defined]

LOAD_CASE = select(CASES).where(CASES.c.id == bindparam("case_id"))
UPDATE_CASE = update(CASES).where(CASES.c.id == bindparam("b_id"), CASES.c.version == bindparam("b_version"))
INSERT_EVENT = insert(CASE_EVENTS).returning(CASE_EVENTS.c.id)
ROUND_EVENTS = (
    select(CASE_EVENTS.c.action, CASE_EVENTS.c.from_state, CASE_EVENTS.c.to_state, CASE_EVENTS.c.data)
    .where(CASE_EVENTS.c.case_id == bindparam("case_id"))
    .order_by(CASE_EVENTS.c.seq)
)
REPLAY = select(CASE_EVENTS.c.actor_id, CASE_EVENTS.c.request_fingerprint).where(
    CASE_EVENTS.c.case_id == bindparam("case_id"), CASE_EVENTS.c.idempotency_key == bindparam("key")
)
INSERT_DEADLINES = insert(CASE_DEADLINES)
CLOSE_DEADLINES = (
    update(CASE_DEADLINES)
    .where(
        CASE_DEADLINES.c.case_id == bindparam("b_case_id"),
        CASE_DEADLINES.c.status == bindparam("b_open"),
        CASE_DEADLINES.c.name.in_(bindparam("b_names", expanding=True)),
    )
    .values(status=bindparam("b_status"), closed_event_id=bindparam("b_event_id"))
)
DEADLINES_OF_CASE = (
    select(CASE_DEADLINES).where(CASE_DEADLINES.c.case_id == bindparam("case_id")).order_by(CASE_DEADLINES.c.id)
)
INSERT_OUTBOX = insert(OUTBOX)
# The deciding board's first meeting from a date on (a case's expected decision), or the round's own meeting.
NEXT_MEETING = (
    select(MEETINGS.c.starts_at)
    .where(
        MEETINGS.c.board_id == bindparam("board_id"),
        MEETINGS.c.starts_at >= bindparam("earliest"),
        MEETINGS.c.status == MeetingStatus.planned,
    )
    .order_by(MEETINGS.c.starts_at)
    .limit(1)
)
ROUND_MEETING = select(MEETINGS.c.starts_at).where(
    MEETINGS.c.board_id == bindparam("board_id"), MEETINGS.c.id == bindparam("meeting_id")
)
