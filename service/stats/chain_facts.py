"""What an open case's expected decision needs beyond its current stay, read for many cases at once: the facts
service.cases.expected reads for one case (whether LBF must approve, the meeting the case was put on, the central
board's meeting its information item is placed on, the written procedure's reply deadline, a report's due date).

Kept beside the snapshot's columns and refreshed with them: each of these changes only with an event of the case
(an action, or a deadline paused, resumed or extended).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.engine import Connection

from service.forecasting.chain import lbf_needed_by
from service.persistence.case_tables import CASE_DEADLINES, CASE_EVENTS, CASES, DeadlineStatus
from workflows.registry import WORKFLOWS
from workflows.spec import Deadline, Workflow

CHUNK = 10_000  # case ids per query
NONE = -1  # no such meeting or date
EPOCH = date(1970, 1, 1)


@dataclass
class Facts:
    lbf_needed: bool = False
    meeting: int = NONE  # the meeting named by the event that put the case in its state
    central_meeting: int = NONE
    written_until: int = NONE  # days since 1970-01-01
    report_due: int = NONE


def _deadline_names(which: str) -> ColumnElement[bool]:
    """Open deadlines that set a step: the written procedure's (`written`) or a due date from the data (`report`)."""

    def sets_step(workflow: Workflow, deadline: Deadline) -> bool:
        if which == "written":
            return deadline.starts_in == workflow.on_agenda and bool(deadline.when)
        return bool(deadline.due_from_data)

    pairs = [
        and_(CASES.c.case_type == key, CASE_DEADLINES.c.name == d.name)
        for key, w in WORKFLOWS.items()
        for d in w.deadlines
        if sets_step(w, d)
    ]
    return or_(*pairs) if pairs else ~true()


def _chunks(ids: Sequence[int] | None) -> Iterator[ColumnElement[bool]]:
    if ids is None:
        yield CASES.c.is_open
        return
    for start in range(0, len(ids), CHUNK):
        yield and_(CASES.c.is_open, CASES.c.id.in_(list(ids[start : start + CHUNK])))


def _days(day: date) -> int:
    return (day - EPOCH).days


def read(connection: Connection, ids: Sequence[int] | None = None) -> dict[int, Facts]:
    """The facts of the open cases among `ids` (None: every open case)."""
    agendas = [and_(CASES.c.case_type == k, CASES.c.state == w.on_agenda) for k, w in WORKFLOWS.items() if w.on_agenda]
    on_agenda = or_(*agendas)
    entering = or_(CASE_EVENTS.c.from_state.is_(None), CASE_EVENTS.c.from_state != CASE_EVENTS.c.to_state)
    found: dict[int, Facts] = {}
    for chosen in _chunks(ids):
        cases = connection.execute(select(CASES.c.id, CASES.c.case_type, CASES.c.data).where(chosen))
        for case_id, case_type, data in cases:
            if case_type in WORKFLOWS:
                found[case_id] = Facts(
                    lbf_needed=lbf_needed_by(case_type, data or {}),
                    central_meeting=_meeting((data or {}).get("central_board_meeting_id")),
                )
        rounds = connection.execute(
            select(CASE_EVENTS.c.case_id, CASE_EVENTS.c.data)
            .join(CASES, CASES.c.id == CASE_EVENTS.c.case_id)
            .where(chosen, on_agenda, CASE_EVENTS.c.to_state == CASES.c.state, entering)
            .order_by(CASE_EVENTS.c.case_id, CASE_EVENTS.c.seq)
        )
        for case_id, data in rounds:  # the last entering event wins
            if case_id in found:
                found[case_id].meeting = _meeting((data or {}).get("meeting_id"))
        for which in ("written", "report"):
            due = connection.execute(
                select(CASE_DEADLINES.c.case_id, CASE_DEADLINES.c.due_on)
                .join(CASES, CASES.c.id == CASE_DEADLINES.c.case_id)
                .where(chosen, CASE_DEADLINES.c.status == DeadlineStatus.open, _deadline_names(which))
            )
            for case_id, day in due:
                if case_id in found:
                    _latest(found[case_id], which, _days(day))
    return found


def _meeting(value: Any) -> int:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else NONE


def _latest(facts: Facts, which: str, days: int) -> None:
    if which == "written":
        facts.written_until = max(facts.written_until, days)
    else:
        facts.report_due = max(facts.report_due, days)
