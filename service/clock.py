"""The service's business clock: real time, or real time shifted into the demo register's world.

The demo register lives in 2016–2019 (its grants, seats and meetings). Run on today's date it would refuse every
new case (no live grant) and every meeting (agendas closed). `seed-demo` therefore stores an offset that puts the
demo's "today" at a moment inside its world, and the clock keeps running from there in real time. Deployments
have no offset unless BOLIGSOCIAL_CLOCK_START is set (for training copies). Security timestamps (tokens, sessions,
throttling) always use real time.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from workflows.calendar import LOCAL


@dataclass(frozen=True)
class Clock:
    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def today(self) -> date:
        """Today's date in Copenhagen on this clock."""
        return self.now().astimezone(LOCAL).date()

    @classmethod
    def starting_at(cls, start: datetime) -> "Clock":
        """A clock that reads `start` now and runs on from there."""
        return cls(start - datetime.now(UTC))


REAL = Clock()
