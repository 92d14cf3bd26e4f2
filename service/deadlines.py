"""Deadline rows: opened when a case enters a state that starts one, closed when it leaves their states."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from service.persistence.case_tables import CaseDeadline, DeadlineStatus
from workflows import calendar
from workflows.spec import Deadline, Workflow

LOCAL = ZoneInfo("Europe/Copenhagen")


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
) -> None:
    """Open the deadlines that start in `state`, except those already open."""
    start = now.astimezone(LOCAL).date()
    rows = []
    for deadline in workflow.deadlines:
        if deadline.starts_in != state or deadline.name in already_open:
            continue
        due, rule = due_date(deadline, start, data)
        escalate = (
            due + timedelta(days=deadline.escalate_after_days - (deadline.calendar_days or 0))
            if deadline.escalate_after_days
            else None
        )
        rows.append(dict(case_id=case_id, name=deadline.name, kind=deadline.kind.value, status=DeadlineStatus.open,
                         due_on=due, escalate_on=escalate, rule=rule, opened_event_id=event_id))  # fmt: skip
    if rows:
        session.execute(insert(CaseDeadline), rows)


def sync_deadlines(
    session: Session,
    workflow: Workflow,
    *,
    case_id: int,
    state: str,
    data: dict[str, Any],
    event_id: int,
    now: datetime,
) -> None:
    """Close open deadlines that do not run in the new state; open those it starts (once)."""
    running = {d.name for d in workflow.deadlines if state in d.during}
    session.execute(
        update(CaseDeadline)
        .where(col(CaseDeadline.case_id) == case_id, col(CaseDeadline.status) == DeadlineStatus.open,
               col(CaseDeadline.name).not_in(running))
        .values(status=DeadlineStatus.met, closed_event_id=event_id)
    )  # fmt: skip
    if any(d.starts_in == state for d in workflow.deadlines):
        still_open = frozenset(session.exec(
            select(CaseDeadline.name).where(CaseDeadline.case_id == case_id, CaseDeadline.status == DeadlineStatus.open)
        ))  # fmt: skip
        open_deadlines(session, workflow, case_id=case_id, state=state, data=data, event_id=event_id, now=now,
                       already_open=still_open)  # fmt: skip
