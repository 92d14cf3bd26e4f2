"""Lead time per case type, district, plan, deciding board or quarter; open cases count as still running."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, select
from sqlalchemy.engine import Connection

from service.persistence.stats_tables import INTERVALS
from service.stats import survival
from service.stats.filters import Filters, keys, period
from service.stats.workdays import local_days, working_days

DAY = 86400.0
GROUP_COLUMNS = {"case_type": "case_type", "district": "district_id", "plan": "plan_id", "board": "deciding_board_id"}
GROUPS = (*GROUP_COLUMNS, "quarter")
SHARES = {"p50": 0.50, "p85": 0.85, "p95": 0.95}


@dataclass(frozen=True)
class Cases:
    """Each case's group key, when it opened, and when it ended (or now, if it is still open)."""

    key: np.ndarray
    opened: np.ndarray
    ended: np.ndarray
    closed: np.ndarray  # bool: the case has reached a final state


def current_stays(connection: Connection, filters: Filters, visible: ColumnElement[bool], group_by: str) -> Sequence[Any]:
    """The current stay of every case in scope: (group key, opened_at, entered_at, wait)."""
    column = INTERVALS.c[GROUP_COLUMNS.get(group_by, "case_type")]
    query = select(column, INTERVALS.c.opened_at, INTERVALS.c.entered_at, INTERVALS.c.wait).where(
        INTERVALS.c.left_at.is_(None), keys(filters), period(INTERVALS.c.opened_at, filters), visible
    )
    return connection.execute(query).all()


def cases(connection: Connection, filters: Filters, visible: ColumnElement[bool], group_by: str, now: int) -> Cases:
    rows = current_stays(connection, filters, visible, group_by)
    opened = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    entered = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
    closed = np.fromiter((r[3] == "done" for r in rows), dtype=bool, count=len(rows))
    if group_by == "quarter":
        days = local_days(opened).astype("datetime64[M]").astype(int)  # months since 1970-01
        key = np.array([f"{1970 + m // 12}-K{m % 12 // 3 + 1}" for m in days], dtype=object)
    else:
        key = np.array([r[0] for r in rows], dtype=object)
    return Cases(key=key, opened=opened, ended=np.where(closed, entered, now), closed=closed)


def durations(found: Cases, unit: str) -> np.ndarray:
    """Lead times in calendar days (fractional, to the second) or in whole Danish working days."""
    if unit == "working_days":
        return working_days(found.opened, found.ended).astype(float)
    days: np.ndarray = (found.ended - found.opened) / DAY
    return days


def summarise(values: np.ndarray, closed: np.ndarray) -> dict[str, Any]:
    """Count, open count and Kaplan–Meier quantiles (None: not yet reached, too many cases still open)."""
    times, surv = survival.curve(values, closed)
    row: dict[str, Any] = {"count": len(values), "open": int((~closed).sum()), "closed": int(closed.sum())}
    for name, share in SHARES.items():
        row[name] = survival.quantile(times, surv, share)
    row["closed_median"] = float(np.median(values[closed])) if closed.any() else None
    return row


def lead_times(
    connection: Connection, *, filters: Filters, visible: ColumnElement[bool], group_by: str, unit: str, now: int
) -> list[dict[str, Any]]:
    """One row per group, in key order; keys are ids (district, plan, board) or names (case type, quarter)."""
    found = cases(connection, filters, visible, group_by, now)
    values = durations(found, unit)
    result = []
    for key in sorted(set(found.key.tolist()), key=lambda k: (k is None, str(k))):
        mask = found.key == key
        result.append({"key": key, **summarise(values[mask], found.closed[mask])})
    return result


def curves(
    connection: Connection, *, filters: Filters, visible: ColumnElement[bool], unit: str, now: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A Kaplan–Meier curve per case type: the share of cases still open after so many days."""
    found = cases(connection, filters, visible, "case_type", now)
    values = durations(found, unit)
    return {k: survival.curve(values[found.key == k], found.closed[found.key == k]) for k in sorted(set(found.key))}
