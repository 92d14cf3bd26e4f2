"""Time-in-state percentiles, exact to the second, without reading every stay.

`state_duration_buckets` counts the finished stays per case type, state and bucket of lengths (about 9 % wide:
eight buckets per doubling). A percentile's rank then names one bucket, and one indexed query over
`(case_type, state, seconds)` walks only that bucket's stays to the exact value.
"""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from service.persistence.stats_tables import BUCKETS, INTERVALS

DAY = 86400.0


def bucket(seconds: int) -> int:
    """0–15 for lengths under 16 s; then eight buckets per doubling."""
    if seconds < 16:
        return max(seconds, 0)
    k = seconds.bit_length() - 1
    return 16 + (k - 4) * 8 + ((seconds >> (k - 3)) & 7)


def bounds(number: int) -> tuple[int, int]:
    """The lengths [low, high) a bucket holds."""
    if number < 16:
        return number, number + 1
    k, sub = (number - 16) // 8 + 4, (number - 16) % 8
    return (8 + sub) << (k - 3), (9 + sub) << (k - 3)


Key = tuple[str, str, str, int, str, int]
Finished = tuple[str, str, str, int | None, str, int]  # case_type, state, wait, district_id, left_to, seconds


def remove(connection: Connection, stays: Iterable[Finished]) -> None:
    """Uncount finished stays (of deleted cases)."""
    for case_type, state, _, district, left_to, seconds in stays:
        connection.execute(
            BUCKETS.update()
            .where(
                BUCKETS.c.case_type == case_type,
                BUCKETS.c.state == state,
                BUCKETS.c.district_id == (district or 0),
                BUCKETS.c.left_to == left_to,
                BUCKETS.c.bucket == bucket(seconds),
            )
            .values(stays=BUCKETS.c.stays - 1, seconds=BUCKETS.c.seconds - seconds)
        )
    connection.execute(BUCKETS.delete().where(BUCKETS.c.stays <= 0))


def add(connection: Connection, stays: Iterable[Finished]) -> None:
    """Count finished stays into their buckets."""
    counts: Counter[Key] = Counter()
    sums: Counter[Key] = Counter()
    for case_type, state, wait, district, left_to, seconds in stays:
        key = (case_type, state, wait, district or 0, left_to, bucket(seconds))
        counts[key] += 1
        sums[key] += seconds
    if not counts:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    names = ("case_type", "state", "wait", "district_id", "left_to", "bucket")
    rows = [dict(zip(names, key, strict=True), stays=n, seconds=sums[key]) for key, n in counts.items()]
    statement = dialect.insert(BUCKETS)
    added = {"stays": BUCKETS.c.stays + statement.excluded.stays, "seconds": BUCKETS.c.seconds + statement.excluded.seconds}
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["case_type", "state", "district_id", "left_to", "bucket"], set_=added
        ),
        rows,
    )


def rebuild(connection: Connection, batch: int = 50_000) -> None:
    """Recount every finished stay."""
    connection.execute(BUCKETS.delete())
    query = select(
        INTERVALS.c.case_type,
        INTERVALS.c.state,
        INTERVALS.c.wait,
        INTERVALS.c.district_id,
        INTERVALS.c.left_to,
        INTERVALS.c.seconds,
    ).where(INTERVALS.c.seconds.is_not(None))
    result = connection.execute(query.execution_options(yield_per=batch))
    for part in result.partitions():
        add(connection, [tuple(row) for row in part])


Group = tuple[str, str, int | None]  # case type, state, district (None: all)


def _value(connection: Connection, group: Group, histogram: list[tuple[int, int]], rank: int) -> int:
    """The stay length at a 0-based rank among the group's finished stays, sorted."""
    for number, count in histogram:
        if rank < count:
            low, high = bounds(number)
            where = [
                INTERVALS.c.case_type == group[0],
                INTERVALS.c.state == group[1],
                INTERVALS.c.seconds >= low,
                INTERVALS.c.seconds < high,
            ]
            if group[2] is not None:
                where.append(INTERVALS.c.district_id == group[2])
            query = select(INTERVALS.c.seconds).where(*where).order_by(INTERVALS.c.seconds).limit(1).offset(rank)
            return int(connection.execute(query).scalar_one())
        rank -= count
    raise IndexError(rank)


def percentile(connection: Connection, group: Group, histogram: list[tuple[int, int]], share: float) -> float:
    """Linear-interpolated percentile, as pandas' and numpy's default."""
    total = sum(count for _, count in histogram)
    position = share * (total - 1)
    low = int(position)
    value = _value(connection, group, histogram, low)
    if position == low:
        return float(value)
    return value + (position - low) * (_value(connection, group, histogram, low + 1) - value)


def _histograms(connection: Connection, case_type: str | None, district: int | None) -> dict[tuple[str, str], Any]:
    """Per case type and state: what it waits for, stays per bucket (districts added up), total seconds."""
    query = select(BUCKETS).order_by(BUCKETS.c.case_type, BUCKETS.c.state, BUCKETS.c.bucket)
    if case_type is not None:
        query = query.where(BUCKETS.c.case_type == case_type)
    if district is not None:
        query = query.where(BUCKETS.c.district_id == district)
    groups: dict[tuple[str, str], Any] = {}
    for found in connection.execute(query):
        group = groups.setdefault((found.case_type, found.state), {"wait": found.wait, "histogram": {}, "seconds": 0})
        group["histogram"][found.bucket] = group["histogram"].get(found.bucket, 0) + found.stays
        group["seconds"] += int(found.seconds)
    return groups


def time_in_state(
    connection: Connection, case_type: str | None, district: int | None, shares: dict[str, float]
) -> list[dict[str, Any]]:
    """Per case type and state: finished stays, mean and percentiles in days, from the buckets."""
    rows = []
    for (kind, state), group in _histograms(connection, case_type, district).items():
        histogram = sorted(group["histogram"].items())
        count = sum(n for _, n in histogram)
        row: dict[str, Any] = {
            "case_type": kind,
            "state": state,
            "wait": group["wait"],
            "count": count,
            "mean": group["seconds"] / count / DAY,
        }
        for name, share in shares.items():
            row[name] = percentile(connection, (kind, state, district), histogram, share) / DAY
        rows.append(row)
    return rows
