"""Arrivals and completions per month (a cumulative flow), and the aging of open cases with their overdue deadlines."""

from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from service.cases.overdue import overdue_clause
from service.persistence.case_tables import CASE_DEADLINES, CASES
from service.persistence.stats_tables import INTERVALS
from service.stats.filters import Filters
from service.stats.snapshot import DONE, Snapshot, select_cases
from service.stats.workdays import local_days

DAY = 86400.0
AGE_BUCKETS = (30, 90, 180, 365)


def _months(seconds: np.ndarray) -> np.ndarray:
    return local_days(seconds).astype("datetime64[M]")


def throughput(snapshot: Snapshot, *, filters: Filters, visible: np.ndarray | None) -> list[dict[str, Any]]:
    """Per month: cases opened, cases that reached a final state, and the running totals and work in progress."""
    keep = select_cases(snapshot, filters.without_period(), visible)
    if not keep.any():
        return []
    c = snapshot.columns
    opened = _months(c["opened"][keep])
    ended = _months(c["entered"][keep & (c["wait"] == DONE)])
    months = np.arange(opened.min(), max(opened.max(), ended.max() if len(ended) else opened.max()) + 1)
    arrivals = np.bincount((opened - months[0]).astype(int), minlength=len(months))
    completions = np.bincount((ended - months[0]).astype(int), minlength=len(months))
    result: list[dict[str, Any]] = []
    arrived, completed = np.cumsum(arrivals), np.cumsum(completions)
    for i, month in enumerate(months):
        if _in_period(str(month), filters):
            result.append(
                {
                    "month": str(month),
                    "arrivals": int(arrivals[i]),
                    "completions": int(completions[i]),
                    "arrived_total": int(arrived[i]),
                    "completed_total": int(completed[i]),
                    "in_progress": int(arrived[i] - completed[i]),
                }
            )
    return result


def _in_period(month: str, filters: Filters) -> bool:
    first = date.fromisoformat(f"{month}-01")
    return (filters.start is None or first >= filters.start.replace(day=1)) and (filters.end is None or first <= filters.end)


def overdue(connection: Connection, today: date) -> dict[int, int]:
    """Cases with deadlines still open after their day, and how many (one indexed range over open deadlines)."""
    late = (
        select(CASE_DEADLINES.c.case_id, func.count())
        .where(overdue_clause(CASE_DEADLINES.c, today))
        .group_by(CASE_DEADLINES.c.case_id)
    )
    return {int(case_id): int(count) for case_id, count in connection.execute(late)}


SORT_COLUMNS = {"age": "opened", "in_state": "entered"}  # oldest first; "reference" keeps case-id order


def open_cases(
    connection: Connection,
    snapshot: Snapshot,
    *,
    filters: Filters,
    visible: np.ndarray | None,
    now: int,
    today: date,
    sort: str = "age",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """The open cases, oldest first (or longest in their state), with their age, time in state and overdue deadlines."""
    keep = select_cases(snapshot, filters, visible)
    ids = np.nonzero(keep & (snapshot.columns["wait"] != DONE))[0] if keep.any() else np.zeros(0, np.int64)
    if sort in SORT_COLUMNS:
        ids = ids[np.argsort(snapshot.columns[SORT_COLUMNS[sort]][ids], kind="stable")]
    ages = (now - snapshot.columns["opened"][ids]) / DAY if len(ids) else np.zeros(0)
    counts = np.bincount(np.searchsorted(np.array(AGE_BUCKETS), ages, side="right"), minlength=len(AGE_BUCKETS) + 1)
    limits: list[int | None] = [*AGE_BUCKETS, None]
    late = overdue(connection, today)
    return {
        "total": len(ids),
        "overdue_cases": int(np.isin(ids, np.array(list(late), dtype=np.int64)).sum()),
        "buckets": [{"up_to_days": up_to, "count": int(n)} for up_to, n in zip(limits, counts, strict=True)],
        "items": details(connection, ids[offset : offset + limit].tolist(), now, late),
    }


def details(connection: Connection, ids: list[int], now: int, late: dict[int, int]) -> list[dict[str, Any]]:
    """A page of open cases with reference, title, state, age, time in state and overdue deadlines, in `ids` order."""
    query = (
        select(
            INTERVALS.c.case_id,
            CASES.c.reference,
            CASES.c.title,
            INTERVALS.c.case_type,
            INTERVALS.c.state,
            INTERVALS.c.wait,
            INTERVALS.c.opened_at,
            INTERVALS.c.entered_at,
        )
        .join(CASES, CASES.c.id == INTERVALS.c.case_id)
        .where(INTERVALS.c.case_id.in_(ids))  # all their stays: a filter on left_at would lead SQLite to the wrong index
        .add_columns(INTERVALS.c.left_at)
    )
    found = {
        r[0]: {
            "case_id": r[0],
            "reference": r[1],
            "title": r[2],
            "case_type": r[3],
            "state": r[4],
            "wait": r[5],
            "age_days": (now - r[6]) / DAY,
            "in_state_days": (now - r[7]) / DAY,
            "overdue_deadlines": late.get(r[0], 0),
        }
        for r in connection.execute(query)
        if r[8] is None
    }
    return [found[i] for i in ids if i in found]
