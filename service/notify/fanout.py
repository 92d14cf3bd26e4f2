"""The outbox relay: each outbox row (written with its case event) becomes notices for the people it names.

Rows are taken with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers share the backlog; each row is handled
in its own savepoint, so one broken row is counted (`attempts`, `last_error`) and the others go on. A row is
marked relayed (`sent_at`) in the same transaction as its notices, and notices are unique per person and row:
a redelivered task relays nothing twice.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from service.authz import case_setting
from service.notify import people
from service.notify.notices import Hours, Notice, tell
from service.persistence.case_tables import OUTBOX, Case, CaseEvent, OutboxMessage
from service.persistence.meeting_tables import MeetingMessage
from service.persistence.notify_tables import NoticeKind
from service.persistence.tables import User
from workflows import calendar
from workflows.registry import WORKFLOWS
from workflows.spec import Audience

MAX_ATTEMPTS = 10  # a row that failed this often waits for an operator (it shows in /readyz and the mail view)


@dataclass
class Relayed:
    rows: int = 0
    notices: int = 0
    failed: int = 0


def relay_row(session: Session, row: OutboxMessage, *, now: datetime, hours: Hours) -> int:
    """The notices of one outbox row: its audience on the event's day, less whoever caused the event."""
    case = session.get(Case, row.case_id)
    event = session.get(CaseEvent, row.event_id)
    assert case is not None and event is not None
    workflow = WORKFLOWS[case.case_type]
    setting = case_setting(
        session, plan_id=case.plan_id, deciding_board_id=case.deciding_board_id, city_is_party=workflow.city_veto
    )
    audience = Audience(row.audience)
    today = event.at.astimezone(calendar.LOCAL).date()
    named = [u for u in people.audience(session, audience, case, setting, today) if u.id != event.actor_id]
    notice = Notice(case.id, NoticeKind.event, row.topic, f"outbox:{row.id}", people.REASONS[audience])
    return tell(session, notice, named, now=now, hours=hours)


def relay(session: Session, *, now: datetime, hours: Hours, limit: int = 200) -> Relayed:
    """Relay up to `limit` waiting outbox rows into notices (the caller commits)."""
    waiting = (
        select(OutboxMessage)
        .where(col(OutboxMessage.sent_at).is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    done = Relayed()
    for row in session.exec(waiting).all():
        try:
            with session.begin_nested():
                done.notices += relay_row(session, row, now=now, hours=hours)
                session.connection().execute(
                    update(OUTBOX).where(OUTBOX.c.id == row.id, OUTBOX.c.sent_at.is_(None)).values(sent_at=now)
                )
            done.rows += 1
        except Exception as error:  # one broken row must not stop the others: counted and kept for an operator
            done.failed += 1
            session.connection().execute(
                update(OUTBOX)
                .where(OUTBOX.c.id == row.id)
                .values(attempts=OUTBOX.c.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:2000])
            )
    return done


def settle_past(session: Session, *, before: datetime) -> int:
    """Mark the outbox rows of events before `before` as relayed without telling anyone (a played demo history)."""
    done = session.connection().execute(
        update(OUTBOX).where(OUTBOX.c.sent_at.is_(None), OUTBOX.c.created_at < before).values(sent_at=OUTBOX.c.created_at)
    )
    session.commit()
    return int(done.rowcount or 0)


MEETING_OUTBOX = MeetingMessage.__table__  # type: ignore[attr-defined]
MEETING_REASON = ("du sidder i bestyrelsen, der holder mødet", "you sit on the board that holds the meeting")


def relay_meetings(session: Session, *, now: datetime, hours: Hours, limit: int = 200) -> Relayed:
    """Relay the meetings' messages (an agenda sent, minutes finalised) to their recipients, each once, at once."""
    waiting = (
        select(MeetingMessage)
        .where(col(MeetingMessage.sent_at).is_(None), MeetingMessage.attempts < MAX_ATTEMPTS)
        .order_by(col(MeetingMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    done = Relayed()
    for row in session.exec(waiting).all():
        row_id, recipient = row.id, session.get(User, row.recipient_id) if row.recipient_id else None
        source = f"meeting:{row_id}"
        notice = Notice(
            None, NoticeKind.meeting, row.topic, source, MEETING_REASON, meeting_id=row.meeting_id, immediate=True
        )
        people_told = [recipient] if recipient is not None and recipient.is_active else []
        done.notices += tell(session, notice, people_told, now=now, hours=hours)
        sent = MEETING_OUTBOX.c.sent_at.is_(None)
        session.connection().execute(update(MEETING_OUTBOX).where(MEETING_OUTBOX.c.id == row_id, sent).values(sent_at=now))
        done.rows += 1
    return done
