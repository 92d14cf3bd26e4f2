"""How far past forecasts slipped: the days from the meeting a case was put on to the meeting that decided it.

Each stay of a case on a meeting's agenda is a forecast ("decided at that meeting"). When a meeting decides the
case (approved, rejected or sent back, rather than postponed or withdrawn), every forecast made since the previous
decision is resolved: its slip is the deciding meeting's day minus its own meeting's day (0: it held).
`forecast_slips` counts resolved forecasts per case type, district and slip, in the transaction of the decision;
`rebuild` recounts them from `case_events` alone.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from service.persistence.case_tables import CASE_EVENTS
from service.persistence.stats_tables import SLIPS
from service.persistence.tables import Meeting
from workflows import calendar
from workflows.registry import WORKFLOWS
from workflows.spec import Workflow

MEETINGS = Meeting.__table__  # type: ignore[attr-defined]
History = Sequence[tuple[str | None, str, date | None]]  # from_state, to_state, the day of the meeting the event names
AGENDAS = sorted({w.on_agenda for w in WORKFLOWS.values() if w.on_agenda})


def slipped(workflow: Workflow) -> set[str]:
    """Where a case goes from the agenda when the meeting did not decide it: postponed, or withdrawn."""
    leaving = workflow.actions_from(workflow.on_agenda or "")
    return {a.dest for a in leaving if a.dest and (a.postpones or a.abandons) and a.dest != workflow.on_agenda}


def slips(case_type: str, history: History) -> list[int]:
    """The slip in days of each forecast a decision resolved, in the order of the decisions."""
    workflow = WORKFLOWS.get(case_type)
    if workflow is None or workflow.on_agenda is None:
        return []
    agenda, undecided = workflow.on_agenda, slipped(workflow)
    pending: list[date] = []
    meeting: date | None = None
    resolved: list[int] = []
    for from_state, to_state, day in history:
        if to_state == agenda and day is not None and (from_state != agenda or day != meeting):  # put on, or moved
            meeting = day
            pending.append(day)
        elif from_state == agenda and to_state != agenda and to_state not in undecided and meeting is not None:
            resolved += [(meeting - forecast).days for forecast in pending]
            pending = []
    return resolved


Counted = Iterable[tuple[str, int | None, int]]  # case type, district, slip days


def add(connection: Connection, found: Counted, sign: int = 1) -> None:
    """Count resolved forecasts (sign -1: uncount them, for deleted cases)."""
    counts = Counter((t, d or 0, s) for t, d, s in found)
    if not counts:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    rows = [dict(case_type=t, district_id=d, days=s, forecasts=sign * n) for (t, d, s), n in counts.items()]
    statement = dialect.insert(SLIPS)
    added = {"forecasts": SLIPS.c.forecasts + statement.excluded.forecasts}
    connection.execute(
        statement.on_conflict_do_update(index_elements=["case_type", "district_id", "days"], set_=added), rows
    )
    if sign < 0:
        connection.execute(delete(SLIPS).where(SLIPS.c.forecasts <= 0))


def histories(connection: Connection, case_ids: list[int] | None = None) -> dict[int, list[Any]]:
    """Each case's events onto and off an agenda, with the day of the meeting each names (Copenhagen)."""
    from service.stats.intervals import aware

    days = {
        i: aware(m).astimezone(calendar.LOCAL).date()
        for i, m in connection.execute(select(MEETINGS.c.id, MEETINGS.c.starts_at))
    }
    query = select(CASE_EVENTS.c.case_id, CASE_EVENTS.c.from_state, CASE_EVENTS.c.to_state, CASE_EVENTS.c.data).where(
        or_(CASE_EVENTS.c.to_state.in_(AGENDAS), CASE_EVENTS.c.from_state.in_(AGENDAS))
    )
    if case_ids is not None:
        query = query.where(CASE_EVENTS.c.case_id.in_(case_ids))
    found: dict[int, list[tuple[str | None, str, date | None]]] = {}
    for case_id, from_state, to_state, data in connection.execute(query.order_by(CASE_EVENTS.c.case_id, CASE_EVENTS.c.seq)):
        meeting = (data or {}).get("meeting_id")
        found.setdefault(case_id, []).append((from_state, to_state, days.get(meeting) if meeting is not None else None))
    return found


def record_decision(connection: Connection, *, case_id: int, case_type: str, district: int | None) -> None:
    """A meeting decided the case just now (its event is written): count the forecasts this decision resolved."""
    history = histories(connection, [case_id]).get(case_id, [])
    new = slips(case_type, history)[len(slips(case_type, history[:-1])) :]
    add(connection, [(case_type, district, s) for s in new])


def resolved(connection: Connection, cases: dict[int, tuple[str, int | None]], sign: int = 1, every: bool = False) -> None:
    """Count (or uncount) every resolved forecast of these cases: {case id: (case type, district)}; `every`: they
    are all the cases (read the history without naming them)."""
    found = histories(connection, None if every else list(cases))
    counted = [(*cases[i], s) for i, history in found.items() if i in cases for s in slips(cases[i][0], history)]
    add(connection, counted, sign)


def rebuild(connection: Connection) -> None:
    """Recount every resolved forecast from `case_events` (the case keys from `case_state_intervals`)."""
    from service.persistence.stats_tables import INTERVALS

    connection.execute(delete(SLIPS))
    keys = select(INTERVALS.c.case_id, INTERVALS.c.case_type, INTERVALS.c.district_id).distinct()
    resolved(connection, {row[0]: (row[1], row[2]) for row in connection.execute(keys)}, every=True)


def summary(connection: Connection, case_type: str | None, district: int | None) -> dict[str, dict[str, Any]]:
    """Per case type: resolved forecasts, how many held, and the slip in days (mean, p50, p85, max)."""
    query = select(SLIPS.c.case_type, SLIPS.c.days, SLIPS.c.forecasts).order_by(SLIPS.c.case_type, SLIPS.c.days)
    if case_type is not None:
        query = query.where(SLIPS.c.case_type == case_type)
    if district is not None:
        query = query.where(SLIPS.c.district_id == district)
    per_type: dict[str, Counter[int]] = {}
    for kind, days, n in connection.execute(query):
        per_type.setdefault(kind, Counter())[int(days)] += int(n)
    return {kind: _describe(counts) for kind, counts in per_type.items()}


def _describe(counts: Counter[int]) -> dict[str, Any]:
    """Count, held, mean and the (lower) p50 and p85 of whole days from a histogram."""
    values = sorted(counts.items())
    total = sum(n for _, n in values)

    def rank(share: float) -> int:
        seen, target = 0, int(share * (total - 1))
        for days, n in values:
            seen += n
            if seen > target:
                return days
        return values[-1][0]

    mean = sum(d * n for d, n in values) / total
    return {
        "resolved": total,
        "held": counts.get(0, 0),
        "slip_mean": mean,
        "slip_p50": rank(0.5),
        "slip_p85": rank(0.85),
        "slip_max": values[-1][0],
    }
