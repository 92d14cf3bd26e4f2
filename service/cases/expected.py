"""When an open case is expected to be decided: at the meeting it is scheduled on, else at the deciding board's
next meeting whose agenda cut-off it can still make, else by written procedure; a step at LBF adds LBF's reply time.

Computed on every read from the meeting calendar, so a moved or cancelled meeting moves the date at once.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from service.cases import statements
from service.cases.situation import Situation
from workflows import calendar
from workflows.spec import LbfPolicy, Wait


def _needs_lbf(here: Situation) -> bool:
    """LBF must still approve after the board: always for some case types, by the screening for others."""
    return here.workflow.lbf == LbfPolicy.always or bool(here.case.data.get("lbf_approval_needed"))


def _day(moment: datetime) -> date:
    return moment.astimezone(calendar.LOCAL).date()


def board_decision(session: Session, here: Situation, today: date) -> date:
    """The day the deciding board is expected to decide the case."""
    case, connection = here.case, session.connection()
    params: dict[str, Any] = {"board_id": case.deciding_board_id}
    if case.state == here.workflow.on_agenda:
        if here.round.meeting is None:  # written procedure: the members' reply deadline
            return calendar.add_working_days(today, calendar.WRITTEN_PROCEDURE_WORKING_DAYS)
        scheduled = connection.execute(statements.ROUND_MEETING, {**params, "meeting_id": here.round.meeting}).scalar()
        if scheduled is not None:
            return _day(scheduled)
    earliest = calendar.add_working_days(today, calendar.AGENDA_CUTOFF_WORKING_DAYS)
    params["earliest"] = datetime.combine(earliest, datetime.min.time(), UTC)
    following = connection.execute(statements.NEXT_MEETING, params).scalar()
    if following is not None:
        return _day(following)
    return calendar.add_working_days(today, calendar.WRITTEN_PROCEDURE_WORKING_DAYS)  # no meeting planned


def expected_decision_date(session: Session, here: Situation, today: date) -> date | None:
    """The expected date of the case's decision, LBF's included where it must approve; None once decided."""
    case, workflow = here.case, here.workflow
    if not case.is_open or case.deciding_board_id is None:
        return None
    if case.state in workflow.decided_in:
        if workflow.state(case.state).wait != Wait.lbf:
            return None
        due = [d.due_on for d in session.connection().execute(statements.DEADLINES_OF_CASE, {"case_id": case.id})]
        return max(due) if due else calendar.add_calendar_days(today, calendar.LBF_REPLY_DAYS)
    decided = board_decision(session, here, today)
    return calendar.add_calendar_days(decided, calendar.LBF_REPLY_DAYS) if _needs_lbf(here) else decided
