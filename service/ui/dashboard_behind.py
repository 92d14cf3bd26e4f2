"""The cases behind a number on a dashboard page (/statistik/sager): which conditions each kind of number means."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from service.cases.overdue import overdue_clause
from service.persistence.case_tables import CASE_DEADLINES, CASES
from service.persistence.stats_tables import INTERVALS
from service.stats.answers import Asking, decided_in, expected_on, lbf_expected_in
from service.stats.filters import day_start, keys, period
from service.stats.slips import slipped
from workflows.registry import WORKFLOWS


@dataclass(frozen=True)
class Behind:
    """Which number's cases: a state they stayed in, open or closed, the month they ended, the day they are expected
    to be decided by their board at its meeting, how their agenda stays ended (decided / slipped), the month LBF's
    answer is expected, overdue deadlines, in progress at a month's end, what their finished stays waited for, the
    month of their expected decision (the last step, as on the case page) and whether a step of it is overdue."""

    state: str | None = None
    open: bool | None = None
    ended: str | None = None
    expected: date | None = None
    agenda: str | None = None
    lbf_month: str | None = None
    lbf: str | None = None  # waiting / after_meeting
    overdue: bool = False  # open cases with an overdue deadline
    wip: str | None = None  # in progress at the end of a month (YYYY-MM)
    wait: str | None = None  # finished stays waiting for work, a meeting, LBF or the parties
    decision: str | None = None  # YYYY-MM
    decision_overdue: bool = False


def _month(month: str) -> tuple[int, int]:
    first = date.fromisoformat(f"{month}-01")
    return day_start(first), day_start(date(first.year + first.month // 12, first.month % 12 + 1, 1))


def _agenda(decided: bool) -> ColumnElement[bool]:
    """Stays on a meeting's agenda that ended in a decision (or that slipped: postponed or withdrawn)."""
    ways = []
    for key, workflow in WORKFLOWS.items():
        if workflow.on_agenda:
            went = INTERVALS.c.left_to.in_(sorted(slipped(workflow)))
            ways.append(
                and_(INTERVALS.c.case_type == key, INTERVALS.c.state == workflow.on_agenda, ~went if decided else went)
            )
    return and_(INTERVALS.c.left_to.is_not(None), or_(*ways))


def _which_stays(b: Behind) -> ColumnElement[bool]:
    """The stays that make a case count: on an agenda, in a state, waiting for something, or its current one."""
    if b.agenda is not None:
        return _agenda(b.agenda == "decided")
    if b.state is not None:
        return INTERVALS.c.state == b.state
    if b.wait is not None:
        return and_(INTERVALS.c.wait == b.wait, INTERVALS.c.left_at.is_not(None))
    return INTERVALS.c.left_at.is_(None)


def conditions(ask: Asking, b: Behind) -> list[ColumnElement[bool]]:
    where = [keys(ask.filters), period(INTERVALS.c.opened_at, ask.filters), ask.visible, _which_stays(b)]
    if b.expected is not None:
        where.append(INTERVALS.c.case_id.in_(expected_on(ask, b.expected)))
    if b.decision is not None:
        where.append(INTERVALS.c.case_id.in_(decided_in(ask, b.decision, b.decision_overdue)))
    if b.lbf_month is not None:
        where.append(INTERVALS.c.case_id.in_(lbf_expected_in(ask, b.lbf_month, b.lbf)))
    if b.overdue:
        late = select(CASE_DEADLINES.c.case_id).where(overdue_clause(CASE_DEADLINES.c, ask.today))
        where += [INTERVALS.c.case_id.in_(late), INTERVALS.c.wait != "done"]
    if b.wip:
        _, end = _month(b.wip)  # opened before the month's end, not finished by then
        where += [INTERVALS.c.opened_at < end, or_(INTERVALS.c.wait != "done", INTERVALS.c.entered_at >= end)]
    if b.open is not None:
        where.append(INTERVALS.c.wait != "done" if b.open else INTERVALS.c.wait == "done")
    if b.ended:
        start, end = _month(b.ended)
        where += [INTERVALS.c.wait == "done", INTERVALS.c.entered_at >= start, INTERVALS.c.entered_at < end]
    return where


def behind(ask: Asking, b: Behind) -> tuple[list[Any], int]:
    """The cases behind a number: up to 200 of them, and how many there are."""
    ids = select(INTERVALS.c.case_id).where(and_(*conditions(ask, b))).distinct().subquery()
    connection = ask.session.connection()
    total = connection.execute(select(func.count()).select_from(ids)).scalar_one()
    rows = connection.execute(
        select(CASES.c.id, CASES.c.reference, CASES.c.title, CASES.c.case_type, CASES.c.state, CASES.c.is_open)
        .where(CASES.c.id.in_(select(ids.c.case_id)))
        .order_by(CASES.c.id)
        .limit(200)
    ).all()
    return list(rows), total
