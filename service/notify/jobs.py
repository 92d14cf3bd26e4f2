"""The periodic jobs behind the Celery tasks, as plain functions of (engine, settings, now): tests call them
directly, and the tasks in `workers/` only delegate here."""

from dataclasses import asdict
from datetime import datetime

from sqlalchemy.engine import Engine

from service.config import Settings
from service.meetings import written
from service.notify import delivery, fanout, mails, reports, sweep, weekly
from service.notify.notices import Hours
from service.persistence.db import session_scope, write_transaction
from workflows import calendar

RELAY_BATCH, RELAY_BATCHES = 200, 10  # a tick relays up to 2,000 outbox rows, in short transactions


def pump(engine: Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Relay the outbox into notices (a backlog in batches, each its own transaction), compose the mails due at
    once, and deliver what is due."""
    relayed = fanout.Relayed()
    for _ in range(RELAY_BATCHES):
        with session_scope(engine) as session:
            write_transaction(session)
            batch = fanout.relay(session, now=now, hours=Hours.of(settings), limit=RELAY_BATCH)
        relayed.rows, relayed.notices, relayed.failed = (
            relayed.rows + batch.rows,
            relayed.notices + batch.notices,
            relayed.failed + batch.failed,
        )
        if batch.rows + batch.failed < RELAY_BATCH:
            break
    with session_scope(engine) as session:
        write_transaction(session)
        meetings = fanout.relay_meetings(session, now=now, hours=Hours.of(settings))
    relayed.rows, relayed.notices = relayed.rows + meetings.rows, relayed.notices + meetings.notices
    with session_scope(engine) as session:
        write_transaction(session)
        composed = mails.compose_immediate(session, now=now, settings=settings)
    delivered = delivery.deliver(engine, settings, now=lambda: now)
    return {**asdict(relayed), "composed": composed, **asdict(delivered)}


def sweep_deadlines(engine: Engine, settings: Settings, now: datetime, limit: int = 500) -> dict[str, int]:
    """Close the written procedures whose deadline has passed (before their escalation could fire), fire the
    reminder rungs due today, then pass what is urgent on at once."""
    closed = written.close_lapsed(engine, now)
    with session_scope(engine) as session:
        write_transaction(session)
        swept = sweep.sweep(session, now=now, hours=Hours.of(settings), limit=limit)
    result = asdict(swept) | ({"closed_rounds": closed} if closed else {})
    if swept.notices or closed:
        result |= {f"pump_{k}": v for k, v in pump(engine, settings, now).items()}
    return result


def daily_digest(engine: Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Each person's digest of the notices waiting for it, and on the week's first working day each housing
    organisation's list of what it owes; quiet on weekends and closing days."""
    if not calendar.is_working_day(now.astimezone(calendar.LOCAL).date()):
        return {"digests": 0}
    with session_scope(engine) as session:
        write_transaction(session)
        digests = mails.compose_digests(session, now=now, settings=settings)
        weeklies = weekly.weekly_digests(session, now=now, settings=settings)
    return {"digests": digests, "weekly": weeklies, **asdict(delivery.deliver(engine, settings, now=lambda: now))}


def lbf_reports(engine: Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Open the reports the plans owe LBF for last year (once each; safe to run daily)."""
    return asdict(reports.open_owed(engine, now, Hours.of(settings)))
