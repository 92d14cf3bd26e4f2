"""Deadline rows: opened when a case enters a state that starts one, closed when it leaves their states."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session

from service.notify.rungs import ladder
from service.persistence.case_tables import CASE_DEADLINES, DeadlineStatus
from workflows import calendar
from workflows.spec import Deadline, Workflow

LOCAL = calendar.LOCAL


def due_date(deadline: Deadline, start: date, data: dict[str, Any]) -> tuple[date, str]:
    """When the deadline falls, and the rule that says so (kept on the row)."""
    if deadline.working_days is not None:
        return calendar.add_working_days(
            start, deadline.working_days
        ), f"{deadline.working_days} working days; {calendar.RULE}"
    if deadline.calendar_days is not None:
        due = calendar.add_calendar_days(start, deadline.calendar_days)
        return due, f"{deadline.calendar_days} calendar days, moved to a working day"
    assert deadline.due_from_data is not None
    return calendar.next_working_day(
        date.fromisoformat(str(data[deadline.due_from_data]))
    ), f"due date in data.{deadline.due_from_data}"


def deadline_row(deadline: Deadline, *, case_id: int, start: date, data: dict[str, Any], event_id: int) -> dict[str, Any]:
    """The row of a deadline opened on `start`: its due date and rule, escalation day and first reminder rung."""
    due, rule = due_date(deadline, start, data)
    days = deadline.escalate_after_days
    escalate = calendar.add_calendar_days(start, days) if days else None
    first = ladder(deadline, opened_on=start, due_on=due, escalate_on=escalate)[0]
    return dict(
        case_id=case_id,
        name=deadline.name,
        kind=deadline.kind.value,
        status=DeadlineStatus.open.value,
        due_on=due,
        escalate_on=escalate,
        rule=rule,
        opened_event_id=event_id,
        next_rung=first.name,
        next_rung_on=first.on,
    )


def open_deadlines(
    session: Session,
    workflow: Workflow,
    *,
    case_id: int,
    state: str,
    data: dict[str, Any],
    event_id: int,
    now: datetime,
    already_open: frozenset[str] = frozenset(),
    flags: dict[str, Any] | None = None,
) -> None:
    """Open the deadlines that start in `state`, except those already open or whose `when` flag the entering
    action's input (`flags`) does not set."""
    start = now.astimezone(LOCAL).date()
    rows = [
        deadline_row(deadline, case_id=case_id, start=start, data=data, event_id=event_id)
        for deadline in workflow.deadlines
        if deadline.starts_in == state
        and deadline.name not in already_open
        and (not deadline.when or (flags or {}).get(deadline.when))
    ]
    if rows:
        session.connection().execute(insert(CASE_DEADLINES), rows)


def sync_deadlines(
    session: Session,
    workflow: Workflow,
    *,
    case_id: int,
    old_state: str,
    state: str,
    data: dict[str, Any],
    event_id: int,
    now: datetime,
    abandoned: bool = False,
    flags: dict[str, Any] | None = None,
) -> None:
    """Close the deadlines the case leaves behind and open those the new state starts, from the declaration alone.

    A deadline is open exactly while the case is in its `during` states, so which rows to touch follows from the
    old and new state without reading any row.
    """
    closing = [d.name for d in workflow.deadlines if old_state in d.during and state not in d.during]
    # Leaving a deadline's states meets it (the awaited step or answer came, whatever it said), unless the case
    # was dropped (withdrawn): then it is cancelled. Dashboards count met deadlines as answers given.
    outcome = DeadlineStatus.cancelled if abandoned else DeadlineStatus.met
    if closing:
        session.connection().execute(
            update(CASE_DEADLINES)
            .where(
                CASE_DEADLINES.c.case_id == case_id,
                CASE_DEADLINES.c.status == DeadlineStatus.open.value,
                CASE_DEADLINES.c.name.in_(closing),
            )
            .values(status=outcome.value, closed_event_id=event_id)
        )
    still_running = frozenset(d.name for d in workflow.deadlines if old_state in d.during and state in d.during)
    open_deadlines(
        session,
        workflow,
        case_id=case_id,
        state=state,
        data=data,
        event_id=event_id,
        now=now,
        already_open=still_running,
        flags=flags,
    )
