"""Keep `case_state_intervals` in step with the history, in the transaction of each action.

`record_transition` is the one call the engine makes; `rebuild` recomputes the table from `case_events`
alone (after a migration, or to check the incremental path), through the same `stays` function.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection

from service.persistence.case_tables import CASE_EVENTS, CASES
from service.persistence.stats_tables import INTERVALS
from service.persistence.tables import Board, Plan
from service.stats import buckets, slips
from workflows.registry import WORKFLOWS

PLANS = Plan.__table__  # type: ignore[attr-defined]
BOARDS = Board.__table__  # type: ignore[attr-defined]


def epoch(moment: datetime) -> int:
    """Whole Unix seconds of an aware moment."""
    return int(moment.timestamp())


@cache
def wait_of(case_type: str, state: str) -> str:
    """What a case of this type waits for in this state, as declared (workflows.spec.State.wait)."""
    return WORKFLOWS[case_type].state(state).wait.value


def _current(case_id: int):  # type: ignore[no-untyped-def]
    return and_(INTERVALS.c.case_id == case_id, INTERVALS.c.left_at.is_(None))


def _keys(connection: Connection, case_id: int) -> dict[str, int | None]:
    """The grouping keys of a new case: its plan, its district (the plan's, or its board's), its deciding board."""
    district = select(PLANS.c.district_id).where(PLANS.c.id == CASES.c.plan_id).scalar_subquery()
    board_district = select(BOARDS.c.district_id).where(BOARDS.c.id == CASES.c.board_id).scalar_subquery()
    row = connection.execute(
        select(CASES.c.plan_id, district, board_district, CASES.c.deciding_board_id).where(CASES.c.id == case_id)
    ).one()
    return {"plan_id": row[0], "district_id": row[1] if row[1] is not None else row[2], "deciding_board_id": row[3]}


def record_transition(
    connection: Connection,
    *,
    case_id: int,
    case_type: str,
    old_state: str | None,
    new_state: str,
    at: datetime,
    old_board_id: int | None = None,
    new_board_id: int | None = None,
) -> None:
    """Close the case's current stay and open one in the new state; a new case (old_state None) gets its first."""
    now = epoch(at)
    if old_state is None:
        keys = _keys(connection, case_id)
        row = dict(case_id=case_id, case_type=case_type, opened_at=now, **keys)
    elif old_state == new_state:
        if old_board_id != new_board_id:  # moved to another board in the same state: regroup the current stay
            connection.execute(update(INTERVALS).where(_current(case_id)).values(deciding_board_id=new_board_id))
        return
    else:
        closed = connection.execute(
            update(INTERVALS)
            .where(_current(case_id))
            .values(left_at=now, seconds=now - INTERVALS.c.entered_at, left_to=new_state)
            .returning(INTERVALS.c.plan_id, INTERVALS.c.district_id, INTERVALS.c.opened_at, INTERVALS.c.entered_at)
        ).one()
        wait = wait_of(case_type, old_state)
        buckets.add(connection, [(case_type, old_state, wait, closed[1], new_state, now - closed[3])])
        if old_state == WORKFLOWS[case_type].on_agenda:  # a meeting decided the case, or it slipped
            slips.record_decision(connection, case_id=case_id, case_type=case_type, district=closed[1])
        row = dict(
            case_id=case_id,
            case_type=case_type,
            plan_id=closed[0],
            district_id=closed[1],
            opened_at=closed[2],
            deciding_board_id=new_board_id,
        )
    connection.execute(insert(INTERVALS), dict(row, state=new_state, wait=wait_of(case_type, new_state), entered_at=now))


@dataclass(frozen=True)
class Stay:
    state: str
    entered_at: int
    left_at: int | None
    left_to: str | None


def stays(transitions: Iterable[tuple[str | None, str, int]]) -> Iterator[Stay]:
    """A case's stays from its history: (from_state, to_state, at) in order; events that stay put are skipped."""
    current: tuple[str, int] | None = None
    for from_state, to_state, at in transitions:
        if current is not None and from_state == to_state:
            continue
        if current is not None:
            yield Stay(current[0], current[1], at, to_state)
        current = (to_state, at)
    if current is not None:
        yield Stay(current[0], current[1], None, None)


def interval_rows(case: dict[str, object], transitions: list[tuple[str | None, str, int]]) -> list[dict[str, object]]:
    """The rows `record_transition` would have written for a case with this history (its keys as they are now)."""
    if not transitions:
        return []
    case_type = str(case["case_type"])
    opened = transitions[0][2]
    return [
        dict(
            case,
            state=s.state,
            wait=wait_of(case_type, s.state),
            opened_at=opened,
            entered_at=s.entered_at,
            left_at=s.left_at,
            left_to=s.left_to,
            seconds=None if s.left_at is None else s.left_at - s.entered_at,
        )
        for s in stays(transitions)
    ]


def rebuild(connection: Connection, batch: int = 2000) -> int:
    """Recompute the whole table and the duration buckets from `case_events`; returns the number of cases.

    (`slips.rebuild` recounts the forecasts, which migration 0009 added.)"""
    connection.execute(delete(INTERVALS))
    district = select(PLANS.c.district_id).where(PLANS.c.id == CASES.c.plan_id).scalar_subquery()
    board_district = select(BOARDS.c.district_id).where(BOARDS.c.id == CASES.c.board_id).scalar_subquery()
    cases = connection.execute(
        select(CASES.c.id, CASES.c.case_type, CASES.c.plan_id, district, board_district, CASES.c.deciding_board_id)
    ).all()
    history: dict[int, list[tuple[str | None, str, int]]] = {}
    events = select(CASE_EVENTS.c.case_id, CASE_EVENTS.c.from_state, CASE_EVENTS.c.to_state, CASE_EVENTS.c.at)
    for case_id, from_state, to_state, at in connection.execute(events.order_by(CASE_EVENTS.c.case_id, CASE_EVENTS.c.seq)):
        history.setdefault(case_id, []).append((from_state, to_state, epoch(aware(at))))
    rows: list[dict[str, object]] = []
    for case_id, case_type, plan_id, plan_district, board_district, board_id in cases:
        keys = dict(
            case_id=case_id,
            case_type=case_type,
            plan_id=plan_id,
            deciding_board_id=board_id,
            district_id=plan_district if plan_district is not None else board_district,
        )
        rows += interval_rows(keys, history.get(case_id, []))
        if len(rows) >= batch:
            connection.execute(insert(INTERVALS), rows)
            rows = []
    if rows:
        connection.execute(insert(INTERVALS), rows)
    buckets.rebuild(connection)
    return len(cases)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the engine writes UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def forget(connection: Connection, case_ids: list[int]) -> None:
    """Take deleted cases out of the statistics (the service never deletes a case; tests clean up their own)."""
    columns = (INTERVALS.c.case_type, INTERVALS.c.state, INTERVALS.c.wait, INTERVALS.c.district_id, INTERVALS.c.left_to)
    finished = connection.execute(
        select(*columns, INTERVALS.c.seconds).where(INTERVALS.c.case_id.in_(case_ids), INTERVALS.c.seconds.is_not(None))
    ).all()
    buckets.remove(connection, [tuple(row) for row in finished])
    keys = select(INTERVALS.c.case_id, INTERVALS.c.case_type, INTERVALS.c.district_id).where(
        INTERVALS.c.case_id.in_(case_ids)
    )
    slips.resolved(connection, {row[0]: (row[1], row[2]) for row in connection.execute(keys.distinct())}, sign=-1)
    connection.execute(delete(INTERVALS).where(INTERVALS.c.case_id.in_(case_ids)))
