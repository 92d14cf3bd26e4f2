"""How long LBF takes to answer, observed in the history: every finished stay of a case in a state that waits for
LBF (its reply, approval or query, ended the stay), read from `case_state_intervals`.

With fewer than MIN_REPLIES observed answers the documented defaults stand in: LBF's reply time of 30 calendar
days (domain.md §6) and, for an answer already overdue, OVERDUE_DAYS more.
"""

from bisect import bisect_right
from dataclasses import dataclass
from statistics import median

from sqlalchemy import select
from sqlalchemy.engine import Connection

from service.persistence.stats_tables import INTERVALS
from workflows import calendar
from workflows.spec import Wait

MIN_REPLIES = 5  # fewer observed answers than this: the defaults
DEFAULT_DAYS = calendar.LBF_REPLY_DAYS
OVERDUE_DAYS = 14  # an overdue answer without enough history of late answers: expected within two weeks
DAY = 86_400


@dataclass(frozen=True)
class ReplyTimes:
    """LBF's observed reply times in calendar days, sorted."""

    days: tuple[float, ...] = ()

    @property
    def observed(self) -> bool:
        return len(self.days) >= MIN_REPLIES

    def median(self) -> int:
        """The median reply time in whole days (the default without enough answers)."""
        return round(median(self.days)) if self.observed else DEFAULT_DAYS

    def remaining(self, waited: int) -> int:
        """The median of the time still to wait, for an answer already awaited `waited` days: among the answers that
        took longer, the median of what they took beyond that (at least a day)."""
        later = self.days[bisect_right(self.days, waited) :]
        if len(later) >= MIN_REPLIES:
            return max(1, round(median(later) - waited))
        typical = self.median()
        return typical - waited if waited < typical else OVERDUE_DAYS


def reply_times(connection: Connection) -> ReplyTimes:
    """Every answer LBF gave, as the days it took."""
    rows = connection.execute(
        select(INTERVALS.c.seconds).where(INTERVALS.c.wait == Wait.lbf.value, INTERVALS.c.seconds.is_not(None))
    )
    return ReplyTimes(tuple(sorted(int(s) / DAY for (s,) in rows)))
