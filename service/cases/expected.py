"""When an open case is expected to be decided: the chain of steps (service.forecasting.chain) for one case, with
what its own history and deadlines add, and the slips its history keeps."""

from datetime import date

from sqlalchemy import or_, select
from sqlmodel import Session

from service.cases import statements
from service.cases.situation import Situation
from service.forecasting.chain import CaseFacts, Forecast, Known, forecast, known
from service.persistence.case_tables import CASE_EVENTS, Case, DeadlineStatus
from service.stats.intervals import aware
from workflows import calendar
from workflows.registry import WORKFLOWS


def case_facts(session: Session, case: Case) -> CaseFacts:
    """When the case entered its state, and its open deadlines that fix a step (written procedure, a report's due)."""
    connection = session.connection()
    last = connection.execute(
        select(CASE_EVENTS.c.at, CASE_EVENTS.c.data)
        .where(
            CASE_EVENTS.c.case_id == case.id,
            CASE_EVENTS.c.to_state == case.state,
            or_(CASE_EVENTS.c.from_state.is_(None), CASE_EVENTS.c.from_state != CASE_EVENTS.c.to_state),
        )
        .order_by(CASE_EVENTS.c.seq.desc())
        .limit(1)
    ).first()
    entered, data = (last.at, last.data or {}) if last is not None else (None, {})
    workflow = WORKFLOWS[case.case_type]
    meeting = data.get("meeting_id") if case.state == workflow.on_agenda else None
    written = {d.name for d in workflow.deadlines if d.starts_in == workflow.on_agenda and d.when}
    from_data = {d.name for d in workflow.deadlines if d.due_from_data}
    deadlines = connection.execute(statements.DEADLINES_OF_CASE, {"case_id": case.id})
    open_ = [d for d in deadlines if d.status == DeadlineStatus.open]
    return CaseFacts(
        entered=aware(entered).astimezone(calendar.LOCAL).date() if entered is not None else None,
        written_until=max((d.due_on for d in open_ if d.name in written), default=None),
        report_due=max((d.due_on for d in open_ if d.name in from_data), default=None),
        meeting=meeting if isinstance(meeting, int) else None,
    )


def expected_decision(session: Session, here: Situation, today: date, facts: Known | None = None) -> Forecast | None:
    """The steps to the case's decision (LBF's answer included where it must approve); None once decided.

    `facts`: the calendar and LBF's reply times read once for a whole list of cases."""
    k = facts if facts is not None else known(session, today)
    return forecast(k, here.case, here.round.meeting, case_facts(session, here.case))


def expected_decision_date(session: Session, here: Situation, today: date, facts: Known | None = None) -> date | None:
    """The expected date of the case's decision; never before today (an overdue step is expected from today on)."""
    found = expected_decision(session, here, today, facts)
    return found.on if found is not None else None
