"""Slips of a case's expected decision, kept in its history.

A case slips when it misses the meeting it was expected at: taken off the agenda undecided (the postponement's own
event carries the slip), not ready by the meeting's agenda cut-off (a daily job writes the slip once), or the
meeting is moved or cancelled (the change writes a slip into each case it pushes later, in its transaction).
A written slip is a `forecast_slipped` event: the state stays, the case's version is bumped (checked), and its data
holds the meeting missed, the expected decision before and after, and the days it moved.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from service.cases import statements
from service.cases.expected import case_facts
from service.cases.situation import Situation, read_round
from service.errors import Conflict
from service.forecasting import paths
from service.forecasting.chain import CaseFacts, Forecast, Known, MeetingDay, forecast, known, lbf_needed
from service.forecasting.texts import slip_text
from service.persistence.case_tables import CASE_EVENTS, Case
from service.persistence.db import session_scope, write_transaction
from service.stats.intervals import aware
from workflows import calendar
from workflows.registry import WORKFLOWS

SLIPPED = "forecast_slipped"  # the history event of a slip
SLIP = "slip"  # the key of a slip in a postponement's event data
LOOKBACK_DAYS = 45  # cut-offs this recent are checked each day (a worker that was down catches up)


class Reason(StrEnum):
    missed = "missed"  # not decided at the meeting, or not ready by its cut-off
    moved = "moved"
    cancelled = "cancelled"


def slip(reason: Reason, meeting: MeetingDay, was: Forecast, now: Forecast, moved_to: date | None = None) -> dict[str, Any]:
    """A slip as stored: the meeting (as it was), the expected decision before and after, and the days between."""
    return {
        "reason": reason.value,
        "meeting_id": meeting.id,
        "meeting_on": meeting.day.isoformat(),
        "moved_to": moved_to.isoformat() if moved_to else None,
        "was": was.on.isoformat(),
        "expected": now.on.isoformat(),
        "days": (now.on - was.on).days,
    }


def on_postponed(session: Session, here: Situation, after: Case, now: datetime) -> dict[str, Any] | None:
    """The slip of a case taken off its meeting's agenda undecided (None: it did not push the decision later)."""
    k = known(session, now.astimezone(calendar.LOCAL).date())
    facts = case_facts(session, here.case)
    meeting = k.meetings.get(here.round.meeting or facts.meeting or 0)
    if meeting is None:
        return None
    # Measured from the meeting's day: the decision was expected there, not on the day the secretariat recorded it.
    was = forecast(k.on(min(k.today, meeting.day)), here.case, meeting.id, facts)
    then = forecast(k, after, None, facts)
    if was is None or then is None or then.on <= was.on:
        return None
    return slip(Reason.missed, meeting, was, then)


Expected = dict[int, tuple[Case, int | None, CaseFacts, Forecast | None]]


def _expectations(session: Session, k: Known, board_id: int) -> Expected:
    """Every open case whose expected decision passes a meeting of the board, with its forecast now."""
    concerned = col(Case.deciding_board_id) == board_id
    if board_id == k.central:
        concerned = or_(concerned, col(Case.case_type).in_([w.key for w in WORKFLOWS.values() if paths.informs(w)]))
    query = select_rows(Case).where(col(Case.is_open), concerned).execution_options(populate_existing=True)
    found: Expected = {}
    for case in session.exec(query.order_by(col(Case.id))):
        round_meeting = read_round(session, case, WORKFLOWS[case.case_type]).meeting
        facts = case_facts(session, case)
        found[case.id or 0] = (case, round_meeting, facts, forecast(k, case, round_meeting, facts))
    return found


@contextmanager
def watching(session: Session, meeting_id: int, actor_id: int | None, now: datetime) -> Iterator[None]:
    """Around a change of a meeting's time or status: each open case it pushes later gets a slip in its history."""
    today = now.astimezone(calendar.LOCAL).date()
    before = known(session, today)
    was = before.meetings[meeting_id]
    expected = _expectations(session, before, was.board_id)
    yield
    after = known(session, today)
    changed = after.meetings[meeting_id]
    reason = Reason.cancelled if not changed.planned else Reason.moved
    for case, round_meeting, facts, old in expected.values():
        new = forecast(after, case, round_meeting, facts)
        if old is not None and new is not None and new.on > old.on:
            moved_to = changed.day if reason == Reason.moved else None
            write(session, case, actor_id, slip(reason, was, old, new, moved_to), now)


def write(session: Session, case: Case, actor_id: int | None, data: dict[str, Any], now: datetime) -> None:
    """The slip's event in the case's history: the state stays, the version is bumped (409 if someone wrote it)."""
    connection = session.connection()
    bumped = connection.execute(
        statements.UPDATE_CASE, {"b_id": case.id, "b_version": case.version, "version": case.version + 1}
    )
    if bumped.rowcount != 1:
        raise Conflict(
            f"Case {case.reference} changed at the same moment; try again.",
            da=f"Sag {case.reference} blev ændret i samme øjeblik; prøv igen.",
        )
    event = dict(
        case_id=case.id,
        seq=case.version + 1,
        at=now,
        actor_id=actor_id,
        action=SLIPPED,
        from_state=case.state,
        to_state=case.state,
        comment=slip_text(data, "da"),
        data=data,
    )
    connection.execute(statements.INSERT_EVENT, event)


def _missed_already(session: Session, case_id: int) -> set[int]:
    """The meetings the case's history already records it missed."""
    rows = session.connection().execute(
        select(CASE_EVENTS.c.action, CASE_EVENTS.c.data).where(CASE_EVENTS.c.case_id == case_id)
    )
    found: set[int] = set()
    for action, data in rows:
        recorded = data if action == SLIPPED else (data or {}).get(SLIP)
        if isinstance(recorded, dict) and recorded.get("meeting_id") is not None:
            found.add(int(recorded["meeting_id"]))
    return found


def _state_at(session: Session, case_id: int, moment: datetime) -> str | None:
    """The state the case was in at a moment (None: it did not exist yet)."""
    rows = session.connection().execute(
        select(CASE_EVENTS.c.to_state, CASE_EVENTS.c.at).where(CASE_EVENTS.c.case_id == case_id).order_by(CASE_EVENTS.c.seq)
    )
    state = None
    for to_state, at in rows:
        if aware(at) > moment:
            break
        state = to_state
    return state


def record_missed_cutoffs(session: Session, now: datetime) -> int:
    """Slips of cases that were not ready by the agenda cut-off of the meeting they were expected at (recent cut-offs,
    each case and meeting once); how many were written."""
    today = now.astimezone(calendar.LOCAL).date()
    k = known(session, today)
    written = 0
    for meeting in sorted(k.meetings.values(), key=lambda m: (m.day, m.id)):
        cutoff = calendar.agenda_cutoff(meeting.day)
        if not meeting.planned or not today - timedelta(days=LOOKBACK_DAYS) <= cutoff < today:
            continue
        closed = datetime.combine(cutoff + timedelta(days=1), datetime.min.time(), calendar.LOCAL)
        for case, _, facts, new in _expectations(session, k, meeting.board_id).values():
            was = _expected_then(session, k.on(cutoff), case, facts, closed)
            if was is None or was.steps[0].meeting_id != meeting.id or new is None or new.on <= was.on:
                continue
            if meeting.id not in _missed_already(session, case.id or 0):
                write(session, case, None, slip(Reason.missed, meeting, was, new), now)
                written += 1
    return written


def _expected_then(session: Session, then: Known, case: Case, facts: CaseFacts, closed: datetime) -> Forecast | None:
    """The case's forecast when a meeting's agenda closed, if it was waiting for its board and on no agenda then."""
    state = _state_at(session, case.id or 0, closed)
    if state is None or state == WORKFLOWS[case.case_type].on_agenda:
        return None
    if not paths.ahead(case.case_type, state, lbf_needed(case)).board:
        return None
    return forecast(then, case.model_copy(update={"state": state}), None, facts)


def sweep_missed_cutoffs(engine: Engine, now: datetime) -> dict[str, int]:
    """The daily job: slips of cases that missed a recent agenda cut-off, in one write transaction."""
    with session_scope(engine) as session:
        write_transaction(session)
        written = record_missed_cutoffs(session, now)
    return {"slips": written}
