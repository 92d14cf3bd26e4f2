"""A deadline's reminder ladder: the days its reminders and escalations are due, from its declaration alone.

Reminders (`before_N`, `due`) go to the people who must act; escalations go, urgently, first to the designated
representatives of the organisations that have not answered and the secretariat (`escalate_1`), then to the
deciding board's chair and the secretariat (`escalate_2`). The ladder is computed once when the deadline opens,
is extended or resumes; the row keeps only its next rung, so the sweep reads nothing but due rows.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from workflows import calendar
from workflows.spec import Deadline

ESCALATE_WORKING_DAYS = 3  # working days past the due date without an answer before the first escalation
CHAIR_AFTER_WORKING_DAYS = 3  # and again before the board's chair hears of it


@dataclass(frozen=True)
class Rung:
    name: str
    on: date

    @property
    def escalates(self) -> bool:
        return self.name.startswith("escalate")


def ladder(deadline: Deadline, *, opened_on: date, due_on: date, escalate_on: date | None) -> list[Rung]:
    """Every rung of the deadline in order; reminders that would fall before it opened are left out."""
    rungs = []
    for days in sorted(deadline.remind_before, reverse=True):
        day = calendar.previous_working_day(due_on - timedelta(days=days)) if days else due_on
        if day >= opened_on:
            rungs.append(Rung(f"before_{days}" if days else "due", day))
    first = escalate_on or calendar.add_working_days(due_on, ESCALATE_WORKING_DAYS)
    rungs.append(Rung("escalate_1", first))
    rungs.append(Rung("escalate_2", calendar.add_working_days(first, CHAIR_AFTER_WORKING_DAYS)))
    return rungs


def next_after(rungs: list[Rung], fired: str | None) -> Rung | None:
    """The rung after `fired` (the first when None)."""
    names = [r.name for r in rungs]
    index = names.index(fired) + 1 if fired in names else 0
    return rungs[index] if index < len(rungs) else None


def due_now(rungs: list[Rung], pending: str | None, today: date) -> tuple[Rung | None, Rung | None]:
    """The rung to fire today and the next one after it.

    When the sweep has been down for days, several rungs may be past: only the latest is fired (nobody needs
    "7 days left" on the day of the deadline), the skipped ones never come.
    """
    names = [r.name for r in rungs]
    start = names.index(pending) if pending in names else len(rungs)
    past = [r for r in rungs[start:] if r.on <= today]
    if not past:
        return None, rungs[start] if start < len(rungs) else None
    fire = past[-1]
    return fire, next_after(rungs, fire.name)
