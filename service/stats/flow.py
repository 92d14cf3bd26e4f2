"""Arrivals and completions per month (a cumulative flow), and the aging of open cases with their overdue deadlines."""

from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.engine import Connection

from service.persistence.case_tables import CASE_DEADLINES, CASES
from service.persistence.stats_tables import INTERVALS
from service.stats.filters import Filters, keys, period
from service.stats.workdays import local_days

DAY = 86400.0
SORTS = {"age": INTERVALS.c.opened_at, "in_state": INTERVALS.c.entered_at, "reference": CASES.c.reference}


def _months(seconds: np.ndarray) -> np.ndarray:
    return local_days(seconds).astype("datetime64[M]")


def throughput(connection: Connection, *, filters: Filters, visible: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Per month: cases opened, cases that reached a final state, and the running totals and work in progress."""
    rows = connection.execute(
        select(INTERVALS.c.opened_at, INTERVALS.c.entered_at, INTERVALS.c.wait).where(
            INTERVALS.c.left_at.is_(None), keys(filters.without_period()), visible
        )
    ).all()
    opened = _months(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
    done = np.fromiter((r[2] == "done" for r in rows), dtype=bool, count=len(rows))
    ended = _months(np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))[done])
    if len(opened) == 0:
        return []
    months = np.arange(opened.min(), max(opened.max(), ended.max() if len(ended) else opened.max()) + 1)
    arrivals = np.bincount((opened - months[0]).astype(int), minlength=len(months))
    completions = np.bincount((ended - months[0]).astype(int), minlength=len(months))
    result: list[dict[str, Any]] = []
    arrived = completed = 0
    for month, a, c in zip(months, arrivals, completions, strict=True):
        arrived, completed = arrived + int(a), completed + int(c)
        result.append({"month": str(month), "arrivals": int(a), "completions": int(c), "arrived_total": arrived,
                       "completed_total": completed, "in_progress": arrived - completed})  # fmt: skip
    return [r for r in result if _in_period(r["month"], filters)]


def _in_period(month: str, filters: Filters) -> bool:
    first = date.fromisoformat(f"{month}-01")
    return (filters.start is None or first >= filters.start.replace(day=1)) and (filters.end is None or first <= filters.end)


def _open(filters: Filters, visible: ColumnElement[bool]) -> ColumnElement[bool]:
    return and_(INTERVALS.c.left_at.is_(None), INTERVALS.c.wait != "done", keys(filters),
                period(INTERVALS.c.opened_at, filters), visible)  # fmt: skip


def open_cases(
    connection: Connection, *, filters: Filters, visible: ColumnElement[bool], now: int, today: date, sort: str = "age",
    limit: int = 50, offset: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """The open cases, oldest first (or longest in their state), with their age, time in state and overdue deadlines."""
    where = _open(filters, visible)
    late = (
        select(func.count()).where(CASE_DEADLINES.c.case_id == INTERVALS.c.case_id, CASE_DEADLINES.c.status == "open",
                                   CASE_DEADLINES.c.due_on < today).scalar_subquery()
    )  # fmt: skip
    query = (
        select(INTERVALS.c.case_id, CASES.c.reference, CASES.c.title, INTERVALS.c.case_type, INTERVALS.c.state,
               INTERVALS.c.wait, INTERVALS.c.opened_at, INTERVALS.c.entered_at, late)
        .join(CASES, CASES.c.id == INTERVALS.c.case_id).where(where)
        .order_by(SORTS.get(sort, INTERVALS.c.opened_at), INTERVALS.c.case_id).limit(limit).offset(offset)
    )  # fmt: skip
    items = [
        {"case_id": r[0], "reference": r[1], "title": r[2], "case_type": r[3], "state": r[4], "wait": r[5],
         "age_days": (now - r[6]) / DAY, "in_state_days": (now - r[7]) / DAY, "overdue_deadlines": r[8]}
        for r in connection.execute(query)
    ]  # fmt: skip
    total = connection.execute(select(func.count()).select_from(INTERVALS).where(where)).scalar_one()
    overdue = connection.execute(
        select(func.count(func.distinct(CASE_DEADLINES.c.case_id)))
        .join(INTERVALS, and_(INTERVALS.c.case_id == CASE_DEADLINES.c.case_id, INTERVALS.c.left_at.is_(None)))
        .where(where, CASE_DEADLINES.c.status == "open", CASE_DEADLINES.c.due_on < today)
    ).scalar_one()  # fmt: skip
    return {"total": total, "overdue_cases": overdue, "buckets": _age_buckets(connection, where, now), "items": items}


AGE_BUCKETS = (30, 90, 180, 365)


def _age_buckets(connection: Connection, where: ColumnElement[bool], now: int) -> list[dict[str, Any]]:
    """How many open cases are younger than 30, 90, 180, 365 days, and older."""
    edges = [now - days * 86400 for days in AGE_BUCKETS]
    counts = []
    for i, edge in enumerate([*edges, None]):
        newer = edges[i - 1] if i else None
        clause = and_(where, true() if edge is None else INTERVALS.c.opened_at >= edge,
                      true() if newer is None else INTERVALS.c.opened_at < newer)  # fmt: skip
        count = connection.execute(select(func.count()).select_from(INTERVALS).where(clause)).scalar_one()
        counts.append({"up_to_days": AGE_BUCKETS[i] if i < len(AGE_BUCKETS) else None, "count": count})
    return counts
