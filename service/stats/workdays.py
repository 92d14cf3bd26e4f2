"""Copenhagen dates and Danish working days for arrays of Unix seconds, vectorised with numpy.

The same calendar as deadlines (workflows.calendar): a working-day duration from moment a to moment b is the
number of working days after a's date up to and including b's date, so `add_working_days(a, n) == b`'s date
when the duration is n and b falls on a working day.
"""

import itertools
from datetime import UTC, date, datetime
from functools import cache

import numpy as np

from workflows import calendar

YEARS = range(1996, 2061)  # one EU summer-time rule since 1996


@cache
def _dst_edges() -> np.ndarray:
    """Unix seconds of every Copenhagen summer-time start and end (both zoneinfo's, found by scanning hours)."""
    edges: list[int] = []
    for year in YEARS:
        for month in (3, 10):
            start = int(datetime(year, month, 20, tzinfo=UTC).timestamp())
            offsets = [(datetime.fromtimestamp(start + h * 3600, calendar.LOCAL).utcoffset(), h) for h in range(0, 24 * 13)]
            edges += [start + h * 3600 for (a, _), (b, h) in itertools.pairwise(offsets) if a != b]
    return np.array(sorted(edges), dtype=np.int64)


@cache
def busdays() -> np.busdaycalendar:
    closed = sorted(day for year in YEARS for day in calendar._closed(year))
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(closed, dtype="datetime64[D]"))


def local_days(seconds: np.ndarray) -> np.ndarray:
    """Copenhagen calendar dates (datetime64[D]) of Unix seconds."""
    seconds = np.asarray(seconds, dtype=np.int64)
    summer = np.searchsorted(_dst_edges(), seconds, side="right") % 2 == 1
    offset = np.where(summer, 7200, 3600)
    return ((seconds + offset) // 86400).astype("datetime64[D]")


def working_days(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days from each start moment to its end moment (Unix seconds), as defined above."""
    one = np.timedelta64(1, "D")
    return np.busday_count(local_days(start) + one, local_days(end) + one, busdaycal=busdays())


def to_date(day: np.datetime64) -> date:
    return date.fromisoformat(str(day))
