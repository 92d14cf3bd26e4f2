"""The expected decision of an open case, step by step (domain.md §7).

The deciding board decides at the meeting the case is on, or by the written procedure's deadline, or else at its
first meeting whose agenda cut-off (10 working days before) is still ahead. After the board's decision the central
board hears of it at its first meeting after that day where the case type informs it, and LBF answers in its
observed median reply time where the case goes there. A step whose date has passed is overdue: it is expected from
today on (never on a past day), and the steps after it follow from there.

Computed on every read from the meeting calendar, so a moved or cancelled meeting moves the date at once.
"""

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from service.forecasting import lbf, paths
from service.forecasting.lbf import ReplyTimes
from service.persistence.case_tables import Case
from service.persistence.tables import Board, BoardKind, Meeting, MeetingStatus
from service.stats.intervals import aware
from workflows import calendar, guards
from workflows.registry import WORKFLOWS
from workflows.spec import LbfPolicy

MEETINGS = Meeting.__table__  # type: ignore[attr-defined]
BOARDS = Board.__table__  # type: ignore[attr-defined]


class StepKind(StrEnum):
    meeting = "meeting"  # a board decides at a meeting
    written = "written"  # a board decides by written procedure
    information = "information"  # the central board is informed at a meeting
    lbf = "lbf"  # LBF answers (an estimate from its reply times)


@dataclass(frozen=True)
class MeetingDay:
    id: int
    board_id: int
    day: date  # Copenhagen
    planned: bool  # not cancelled


@dataclass(frozen=True)
class Known:
    """What every forecast reads: today, the meeting calendar, the boards' names and LBF's reply times."""

    today: date
    meetings: dict[int, MeetingDay]
    boards: dict[int, str]
    central: int | None
    replies: ReplyTimes

    def next_meeting(
        self, board_id: int, *, cutoff_from: date | None = None, after: date | None = None
    ) -> MeetingDay | None:
        """The board's first planned meeting, from today on, whose cut-off is not before `cutoff_from` and which
        is later than `after`."""
        found = [
            m
            for m in self.meetings.values()
            if m.board_id == board_id
            and m.planned
            and m.day >= self.today
            and (cutoff_from is None or calendar.agenda_cutoff(m.day) >= cutoff_from)
            and (after is None or m.day > after)
        ]
        return min(found, key=lambda m: (m.day, m.id), default=None)

    def with_meeting(self, meeting: MeetingDay) -> "Known":
        """The same knowledge with one meeting as given (moved, or cancelled)."""
        return replace(self, meetings={**self.meetings, meeting.id: meeting})

    def on(self, today: date) -> "Known":
        return replace(self, today=today)


def known(session: Session, today: date, replies: ReplyTimes | None = None) -> Known:
    """Read the calendar, the boards and LBF's reply times once (for one case or a whole list; `replies`: LBF's
    reply times read already)."""
    connection = session.connection()
    meetings = {
        i: MeetingDay(i, b, aware(s).astimezone(calendar.LOCAL).date(), status == MeetingStatus.planned)
        for i, b, s, status in connection.execute(
            select(MEETINGS.c.id, MEETINGS.c.board_id, MEETINGS.c.starts_at, MEETINGS.c.status)
        )
    }
    boards = connection.execute(select(BOARDS.c.id, BOARDS.c.name, BOARDS.c.kind)).all()
    central = next((i for i, _, kind in boards if kind == BoardKind.central), None)
    replies = lbf.reply_times(connection) if replies is None else replies
    return Known(today, meetings, {i: n for i, n, _ in boards}, central, replies)


@dataclass(frozen=True)
class CaseFacts:
    """What the case's own history and deadlines say: when it entered its state, and the due dates that set a step."""

    entered: date | None = None
    written_until: date | None = None  # the written procedure's reply deadline
    report_due: date | None = None  # a date the case's data sets (a report due to LBF)
    meeting: int | None = None  # the meeting named by the event that put the case on its agenda


@dataclass(frozen=True)
class Step:
    kind: StepKind
    board_id: int | None  # None: LBF
    meeting_id: int | None
    planned: date  # as planned (before today when overdue)
    on: date  # as expected now (from today on)

    @property
    def overdue(self) -> bool:
        return self.planned < self.on

    @property
    def estimate(self) -> bool:
        return self.kind == StepKind.lbf


@dataclass(frozen=True)
class Forecast:
    steps: tuple[Step, ...]

    @property
    def on(self) -> date:
        return self.steps[-1].on

    @property
    def overdue_since(self) -> date | None:
        return min((s.planned for s in self.steps if s.overdue), default=None)


def lbf_needed(case: Case) -> bool:
    """Whether LBF must approve: the type's policy, the screening's answer, or before screening the default rule."""
    return lbf_needed_by(case.case_type, case.data)


def lbf_needed_by(case_type: str, data: dict[str, Any]) -> bool:
    """`lbf_needed` from a case's type and data alone (for many cases at once)."""
    workflow = WORKFLOWS[case_type]
    if workflow.lbf != LbfPolicy.by_default_rule:
        return workflow.lbf == LbfPolicy.always
    if "lbf_approval_needed" in data:
        return bool(data["lbf_approval_needed"])
    return guards.lbf_needed_by_default(data, material=False)


def _rolled(kind: StepKind, board: int | None, meeting: int | None, planned: date, today: date) -> Step:
    on = planned if planned >= today else calendar.next_working_day(today)
    return Step(kind, board, meeting, planned, on)


def _board_step(k: Known, case: Case, round_meeting: int | None, facts: CaseFacts) -> Step:
    board, on_agenda = case.deciding_board_id, WORKFLOWS[case.case_type].on_agenda
    assert board is not None
    placed = round_meeting if round_meeting is not None else facts.meeting  # a charter's agenda collects no round
    if case.state == on_agenda and placed is not None and placed in k.meetings:
        return _rolled(StepKind.meeting, board, placed, k.meetings[placed].day, k.today)
    if case.state == on_agenda:
        until = facts.written_until or calendar.add_working_days(k.today, calendar.WRITTEN_PROCEDURE_WORKING_DAYS)
        return _rolled(StepKind.written, board, None, until, k.today)
    meeting = k.next_meeting(board, cutoff_from=k.today)
    if meeting is not None:
        return Step(StepKind.meeting, board, meeting.id, meeting.day, meeting.day)
    written = calendar.add_working_days(k.today, calendar.WRITTEN_PROCEDURE_WORKING_DAYS)  # no meeting planned
    return Step(StepKind.written, board, None, written, written)


def _central_step(k: Known, case: Case, ahead: paths.Ahead, after: date) -> Step | None:
    if k.central is None:
        return None
    if ahead.informed:
        placed = k.meetings.get(case.data.get("central_board_meeting_id") or 0)
        if placed is None or not placed.planned or placed.day < k.today:
            return None  # the central board has heard of it
        return Step(StepKind.information, k.central, placed.id, placed.day, placed.day)
    meeting = k.next_meeting(k.central, after=after)
    return None if meeting is None else Step(StepKind.information, k.central, meeting.id, meeting.day, meeting.day)


def _lbf_step(k: Known, ahead: paths.Ahead, facts: CaseFacts, after: date) -> Step:
    typical = k.replies.median()
    if ahead.at_lbf and facts.entered is not None:
        planned = calendar.add_calendar_days(facts.entered, typical)
        if planned >= k.today:
            return Step(StepKind.lbf, None, None, planned, planned)
        remaining = k.replies.remaining((k.today - facts.entered).days)
        return Step(StepKind.lbf, None, None, planned, calendar.add_calendar_days(k.today, remaining))
    start = max(after, facts.report_due or after)
    planned = calendar.add_calendar_days(start, typical)
    return Step(StepKind.lbf, None, None, planned, planned)


def forecast(k: Known, case: Case, round_meeting: int | None, facts: CaseFacts) -> Forecast | None:
    """The steps to the case's expected decision; None once nothing is left to decide (or the case is closed)."""
    if not case.is_open:
        return None
    ahead = paths.ahead(case.case_type, case.state, lbf_needed(case))
    steps: list[Step] = []
    if ahead.board and case.deciding_board_id is not None:
        steps.append(_board_step(k, case, round_meeting, facts))
    day = steps[-1].on if steps else k.today
    if ahead.central:
        central = _central_step(k, case, ahead, day)
        if central is not None:
            steps.append(central)
            day = central.on
    if ahead.lbf:
        steps.append(_lbf_step(k, ahead, facts, day))
    return Forecast(tuple(steps)) if steps else None


def as_data(found: Forecast | None) -> dict[str, Any] | None:
    """The forecast's dates as stored in a history event."""
    if found is None:
        return None
    return {"on": found.on.isoformat(), "steps": [[s.kind.value, s.board_id, s.on.isoformat()] for s in found.steps]}
