"""A case's course through its declared workflow on a simulated clock: which action, and when.

Both demo generators use it: `story` plays the steps through the real engine, `scale` writes the rows the
engine would write for them in bulk. Timing follows what the state waits for (workflows.spec.Wait): work takes
a few working days, a meeting waits for the deciding board's next meeting after the agenda cut-off, LBF answers
in about 30 days (sometimes much later), the parties in about 10 working days.
"""

import random
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from workflows import calendar
from workflows.registry import WORKFLOWS
from workflows.spec import Wait, Workflow

# How often a case takes a detour where it has the choice; the main road shares what is left.
DETOURS = {
    "withdraw": 0.03,
    "reject": 0.04,
    "send_back": 0.12,
    "postpone": 0.08,
    "record_lbf_query": 0.15,
    "record_lbf_rejection": 0.04,
    "refuse": 0.08,
    "present_to_board": 0.5,
}
MAX_STEPS = 40


@dataclass(frozen=True)
class Step:
    action: str
    from_state: str
    to_state: str
    at: datetime
    meeting: datetime | None = None  # the meeting a `schedule` step puts the case on


@cache
def _midnight(day: date) -> datetime:
    """Copenhagen midnight of the first working day from `day` (a million cases ask about few days)."""
    return datetime.combine(calendar.next_working_day(day), time(0), calendar.LOCAL)


def office_time(day: date, rng: random.Random) -> datetime:
    """A moment during office hours (08:00–16:00 Copenhagen) on a working day, to the second."""
    seconds = rng.randrange(8 * 3600, 16 * 3600)
    return (_midnight(day) + timedelta(seconds=seconds)).astimezone(UTC)


@cache
def working_days_after(day: date, count: int) -> date:
    return calendar.add_working_days(day, count)


@cache
def cutoff(meeting: datetime) -> date:
    """The last day a case may be put on the meeting's agenda."""
    return calendar.subtract_working_days(local_day(meeting), calendar.AGENDA_CUTOFF_WORKING_DAYS)


def local_day(moment: datetime) -> date:
    return moment.astimezone(calendar.LOCAL).date()


def next_meeting(meetings: list[datetime], after: datetime) -> datetime | None:
    """The first meeting whose agenda cut-off (10 working days before) is still ahead."""
    for meeting in meetings[bisect_left(meetings, after) :]:
        if cutoff(meeting) > local_day(after):
            return meeting
    return None


def choose(options: list[str], rng: random.Random) -> str | None:
    """Which of the possible state-changing actions a case takes next."""
    if not options:
        return None
    detours = [o for o in options if o in DETOURS]
    main = [o for o in options if o not in DETOURS] or detours
    draw = rng.random()
    for option in detours:
        draw -= DETOURS[option]
        if draw < 0:
            return option
    return rng.choice(main)


def moves(workflow: Workflow, state: str) -> list[str]:
    """The declared actions that move a case out of a state."""
    return _moves(workflow.key, state)


def destination(workflow: Workflow, action: str) -> str:
    return _destination(workflow.key, action)


def wait(workflow: Workflow, state: str) -> Wait:
    """What the state waits for."""
    return _wait(workflow.key, state)


# Looked up once per case type and name (hashing a Workflow would hash all its declarations on every call).
@cache
def _moves(key: str, state: str) -> list[str]:
    return [a.name for a in WORKFLOWS[key].actions_from(state) if a.dest is not None and a.dest != state]


@cache
def _destination(key: str, action: str) -> str:
    spec = WORKFLOWS[key].action(action)
    assert spec is not None and spec.dest is not None
    return spec.dest


@cache
def _wait(key: str, state: str) -> Wait:
    return WORKFLOWS[key].state(state).wait


def delay(workflow: Workflow, state: str, now: datetime, rng: random.Random) -> datetime:
    """When the next step out of a state that does not wait for a meeting happens."""
    waits = wait(workflow, state)
    if waits == Wait.lbf:
        days = rng.lognormvariate(3.3, 0.35) * (3 if rng.random() < 0.1 else 1)  # ~27 days; one in ten far later
        return max(now + timedelta(hours=1), office_time(local_day(now) + timedelta(days=int(days)), rng))
    working = max(1, round(rng.gauss(10, 2))) if waits == Wait.parties else max(1, int(rng.lognormvariate(1.0, 0.8)))
    return office_time(working_days_after(local_day(now), working), rng)


@dataclass
class Walk:
    """A case on its way: its state, the time of its last step, and the meeting it is on the agenda of."""

    workflow: Workflow
    state: str
    now: datetime
    meetings: list[datetime]
    meeting: datetime | None = None


def next_step(walk: Walk, options: list[str], rng: random.Random) -> Step | None:
    """The next action among `options` and when it happens; None when the case cannot go on (no meeting ahead)."""
    workflow, state, action = walk.workflow, walk.state, choose(options, rng)
    if action is None:
        return None
    waits_meeting = wait(workflow, state) == Wait.meeting
    meeting = None
    if waits_meeting and "schedule" in options:
        meeting = next_meeting(walk.meetings, walk.now)
        if meeting is None:
            return None
        at = office_time(cutoff(meeting) - timedelta(days=rng.randrange(0, 3)), rng)
        action = "schedule" if rng.random() > 0.03 else action
    elif waits_meeting:  # on the agenda: decided at the meeting
        held = walk.meeting or next_meeting(walk.meetings, walk.now)
        if held is None:
            return None
        at = held + timedelta(minutes=rng.randrange(30, 150))
    else:
        at = delay(workflow, state, walk.now, rng)
    return Step(action, state, destination(workflow, action), max(at, walk.now + timedelta(minutes=1)), meeting)


def advance(walk: Walk, step: Step) -> None:
    walk.state, walk.now = step.to_state, step.at
    walk.meeting = step.meeting if step.action == "schedule" else None


def course(
    workflow: Workflow,
    opened: datetime,
    meetings: list[datetime],
    until: datetime,
    rng: random.Random,
    allowed: Callable[[str, list[str]], list[str]] | None = None,
) -> list[Step]:
    """The steps after opening, up to `until` (a case still running then stays open); `allowed` narrows the
    declared moves out of a state to those the case's guards would let through."""
    walk, steps = Walk(workflow, workflow.initial, opened, meetings), []
    for _ in range(MAX_STEPS):
        options = moves(workflow, walk.state)
        step = next_step(walk, allowed(walk.state, options) if allowed else options, rng)
        if step is None or step.at > until:
            break
        steps.append(step)
        advance(walk, step)
    return steps
