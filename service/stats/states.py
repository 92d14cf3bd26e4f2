"""Time in each state per case type, split by what the case waited for (work, a meeting, LBF, the parties).

Over the whole register the answer comes from `state_duration_buckets` (service.stats.buckets); a narrower
question (a district, a period, a board member's cases) groups its own stays and reads each percentile exactly
from the (case_type, state, seconds) index with LIMIT/OFFSET.
"""

import logging
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.exc import NoResultFound

from service.persistence.stats_tables import INTERVALS
from service.stats import buckets
from service.stats.filters import Filters, keys, period

log = logging.getLogger(__name__)
DAY = 86400.0
SHARES = {"p50": 0.50, "p85": 0.85}


def _where(filters: Filters, visible: ColumnElement[bool]) -> ColumnElement[bool]:
    """Finished stays (an open stay has no length yet) that ended within the period."""
    return and_(INTERVALS.c.seconds.is_not(None), keys(filters), period(INTERVALS.c.left_at, filters), visible)


def percentile(connection: Connection, where: ColumnElement[bool], count: int, share: float) -> float:
    """The linear-interpolated percentile (pandas' and numpy's default) of the stays' seconds matching `where`."""
    position = share * (count - 1)
    low = int(position)
    values = (
        connection.execute(select(INTERVALS.c.seconds).where(where).order_by(INTERVALS.c.seconds).limit(2).offset(low))
        .scalars()
        .all()
    )
    upper = values[1] if len(values) > 1 else values[0]
    return float(values[0] + (position - low) * (upper - values[0]))


def time_in_state(connection: Connection, *, filters: Filters, visible: ColumnElement[bool] | None) -> list[dict[str, Any]]:
    """Per case type and state: how many stays ended, their mean, p50 and p85 in days, and what the case waited for.

    Over all cases (a viewer who sees everything, no filter but case type and district) the buckets answer; a narrower
    question reads its stays.
    """
    if visible is None and filters == Filters(case_type=filters.case_type, district_id=filters.district_id):
        try:
            return buckets.time_in_state(connection, filters.case_type, filters.district_id, SHARES)
        except (IndexError, NoResultFound):  # buckets out of step with the stays: answer from the stays themselves
            log.warning("state_duration_buckets disagree with case_state_intervals; run service.stats.intervals.rebuild")
    where = _where(filters, true() if visible is None else visible)
    groups = connection.execute(
        select(INTERVALS.c.case_type, INTERVALS.c.state, INTERVALS.c.wait, func.count(), func.sum(INTERVALS.c.seconds))
        .where(where)
        .group_by(INTERVALS.c.case_type, INTERVALS.c.state, INTERVALS.c.wait)
        .order_by(INTERVALS.c.case_type, INTERVALS.c.state)
    ).all()
    rows = []
    for case_type, state, wait, count, total in groups:
        here = and_(where, INTERVALS.c.case_type == case_type, INTERVALS.c.state == state)
        row = {"case_type": case_type, "state": state, "wait": wait, "count": count, "mean": float(total) / count / DAY}
        rows.append(row | {name: percentile(connection, here, count, share) / DAY for name, share in SHARES.items()})
    return rows


def split(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per case type, the days its finished stays spent on each kind of wait, and their shares."""
    totals: dict[str, dict[str, float]] = {}
    for row in rows:
        totals.setdefault(row["case_type"], {}).setdefault(row["wait"], 0.0)
        totals[row["case_type"]][row["wait"]] += row["mean"] * row["count"]
    result = []
    for case_type, waits in totals.items():
        whole = sum(waits.values()) or 1.0
        result.append(
            {
                "case_type": case_type,
                **{f"{w}_days": d for w, d in waits.items()},
                **{f"{w}_share": d / whole for w, d in waits.items()},
            }
        )
    return result
