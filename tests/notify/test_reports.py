"""Each year the service opens the reports every plan owes LBF, once, and tells the plans' project leaders."""

from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.notify import reports
from service.notify.notices import Hours
from service.persistence.case_tables import Case, CaseDeadline, CaseEvent
from service.persistence.notify_tables import Notice
from service.persistence.tables import Plan, PlanAssignment

JANUARY = datetime(2017, 1, 3, 7, 0, tzinfo=UTC)


def reports_for(session: Session, period: str) -> list[Case]:
    cases = session.exec(select(Case).where(Case.case_type == "lbf_submission").order_by(col(Case.id)))
    return [c for c in cases if c.data.get("period") == period and c.created_by_id is None]


def test_reports_are_opened_once_a_year_for_each_plan_that_owes_them(own_engine: Engine) -> None:
    assert (
        reports.open_owed(own_engine, datetime(2016, 12, 12, 9, 0, tzinfo=UTC), Hours()).opened == 0
    )  # 2015's are past due
    first = reports.open_owed(own_engine, JANUARY, Hours())
    again = reports.open_owed(own_engine, JANUARY.replace(day=4), Hours())
    with Session(own_engine) as session:
        running = [p for p in session.exec(select(Plan)) if p.period_start.year <= 2016 <= p.period_end.year]
        opened = reports_for(session, "2016")
        assert first.opened == len(opened) == 3 * len(running) > 0 and again.opened == 0
        case = next(c for c in opened if c.data["report"] == "regulation_account")
        assert (case.state, case.data["due_date"], case.title) == (
            "scheduled",
            "2017-06-30",
            "Reguleringskontoopgørelse 2016",
        )
        [opening] = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
        assert opening.actor_id is None and opening.action == "open"  # the service opened it, no person
        deadline = session.exec(select(CaseDeadline).where(CaseDeadline.case_id == case.id)).one()
        assert (deadline.name, deadline.due_on) == ("report_due", date(2017, 6, 30))
        assert (deadline.next_rung, deadline.next_rung_on) == ("before_30", date(2017, 5, 31))
        leaders = set(session.exec(select(PlanAssignment.user_id).where(PlanAssignment.plan_id == case.plan_id)))
        told = set(session.exec(select(Notice.user_id).where(Notice.case_id == case.id, Notice.kind == "report")))
        assert leaders and told == leaders
