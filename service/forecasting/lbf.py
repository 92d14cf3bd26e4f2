"""How long LBF takes to answer, observed in the history: every finished stay of a case in a state that waits for
LBF (its reply, approval or query, ended the stay), read from `case_state_intervals`.

With fewer than MIN_REPLIES observed answers the documented defaults stand in: LBF's reply time of 30 calendar
days (domain.md §6) and, for an answer already overdue, OVERDUE_DAYS more.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from service.persistence.stats_tables import INTERVALS
from workflows import calendar
from workflows.registry import WORKFLOWS
from workflows.spec import Wait

MIN_REPLIES = 5  # fewer observed answers than this: the defaults
DEFAULT_DAYS = calendar.LBF_REPLY_DAYS
OVERDUE_DAYS = 14  # an overdue answer without enough history of late answers: expected within two weeks
DAY = 86_400


def _median(histogram: list[tuple[int, int]]) -> float:
    """The median of whole days given as (days, how many), sorted by days."""
    total = sum(n for _, n in histogram)

    def nth(rank: int) -> int:
        seen = 0
        for days, n in histogram:
            seen += n
            if seen > rank:
                return days
        return histogram[-1][0]

    return (nth((total - 1) // 2) + nth(total // 2)) / 2


@dataclass(frozen=True)
class ReplyTimes:
    """LBF's observed reply times: how many answers took each whole number of calendar days, sorted by days."""

    histogram: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, days: Iterable[int]) -> "ReplyTimes":
        return cls.of_counts((d, 1) for d in days)

    @classmethod
    def of_counts(cls, counts: Iterable[tuple[int, int]]) -> "ReplyTimes":
        merged: Counter[int] = Counter()
        for days, n in counts:
            merged[days] += n
        return cls(tuple(sorted(merged.items())))

    @property
    def replies(self) -> int:
        return sum(n for _, n in self.histogram)

    def median(self) -> int:
        """The median reply time in whole days (the default without enough answers)."""
        return round(_median(list(self.histogram))) if self.replies >= MIN_REPLIES else DEFAULT_DAYS

    def remaining(self, waited: int) -> int:
        """The median of the time still to wait, for an answer already awaited `waited` days: among the answers that
        took longer, the median of what they took beyond that (at least a day)."""
        later = [(d, n) for d, n in self.histogram if d > waited]
        if sum(n for _, n in later) >= MIN_REPLIES:
            return max(1, round(_median(later) - waited))
        typical = self.median()
        return typical - waited if waited < typical else OVERDUE_DAYS


def reply_times(connection: Connection) -> ReplyTimes:
    """Every answer LBF gave, counted by the whole days it took (the stays in each type's states that wait for LBF,
    read along the intervals' (case type, state, seconds) index)."""
    waiting = [
        and_(INTERVALS.c.case_type == w.key, INTERVALS.c.state == s.name)
        for w in WORKFLOWS.values()
        for s in w.states
        if s.wait == Wait.lbf
    ]
    days = INTERVALS.c.seconds // DAY
    rows = connection.execute(
        select(days, func.count()).where(or_(*waiting), INTERVALS.c.seconds.is_not(None)).group_by(days)
    )
    return ReplyTimes.of_counts((int(d), int(n)) for d, n in rows)
