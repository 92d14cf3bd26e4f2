"""Danish working days for deadlines: no weekends, no public holidays, and by default not 5 June, 24 and 31 Dec."""

from datetime import date, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LOCAL = ZoneInfo("Europe/Copenhagen")  # the boards' calendar: dates of deadlines and meetings are Copenhagen dates
AGENDA_CUTOFF_WORKING_DAYS = 10  # a case reaches an agenda only when ready this long before the meeting (§5)
AGENDA_SEND_WORKING_DAYS = 5  # the agenda goes to the members this long before the meeting (§5)
WRITTEN_PROCEDURE_WORKING_DAYS = 5  # the members' reply deadline in a written procedure (§6)
LBF_REPLY_DAYS = 30  # LBF is expected to answer within this many calendar days (§6)

DEFAULT_EXTRA_CLOSED = ((6, 5), (12, 24), (12, 31))  # Grundlovsdag, juleaften, nytårsaften (domain.md §6)
_extra_closed: tuple[tuple[int, int], ...] = DEFAULT_EXTRA_CLOSED
RULE = "Danish public holidays (holidays.Denmark) plus the configured closing days (default 5 June, 24 and 31 Dec)"


def configure(extra_closed: tuple[tuple[int, int], ...]) -> None:
    """Set the closing days besides the public holidays (BOLIGSOCIAL_EXTRA_CLOSED_DAYS), for this process."""
    global _extra_closed
    if extra_closed != _extra_closed:
        _extra_closed = extra_closed
        _closed.cache_clear()


@cache
def _closed(year: int) -> frozenset[date]:
    public = holidays.country_holidays("DK", years=year)
    return frozenset(public) | {date(year, month, day) for month, day in _extra_closed}


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _closed(day.year)


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """The day itself if it is a working day, else the one before (a reminder comes early, never late)."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not later)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (the start itself not counted)."""
    day = start
    for _ in range(count):
        day = next_working_day(day + timedelta(days=1))
    return day


def subtract_working_days(start: date, count: int) -> date:
    """The date `count` working days before `start`."""
    day = start
    for _ in range(count):
        day -= timedelta(days=1)
        while not is_working_day(day):
            day -= timedelta(days=1)
    return day


def add_calendar_days(start: date, count: int) -> date:
    """`count` calendar days later, moved to the next working day if it falls on a closed day."""
    return next_working_day(start + timedelta(days=count))


def agenda_cutoff(meeting_day: date) -> date:
    """The last day a case can be ready to reach the agenda of a meeting on `meeting_day`."""
    return subtract_working_days(meeting_day, AGENDA_CUTOFF_WORKING_DAYS)
