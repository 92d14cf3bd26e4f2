"""Scheduled LBF reports: each year the service opens the cases every plan owes for the year before.

What is owed is declared in the case type (`Workflow.yearly`). A case is opened only while it is still ahead of its
due date (a service started late in the year does not invent overdue cases) and only once per plan, report and
year: the job reads what exists before it opens anything, so running it daily (as beat does) is safe. The plan's
project leaders hear of each new case; its deadline then reminds them 30, 14, 7 and 0 days before.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.authz import SERVICE, case_setting
from service.cases.opening import open_case
from service.errors import ServiceError
from service.notify import people
from service.notify.notices import Hours, Notice, tell
from service.persistence.case_tables import Case
from service.persistence.notify_tables import NoticeKind
from service.persistence.tables import Plan
from workflows import calendar
from workflows.registry import WORKFLOWS
from workflows.spec import Audience, Workflow, Yearly

WHY = ("du er projektleder for planen, og LBF venter indberetningen", "you lead the plan, and LBF expects the report")


@dataclass
class Opened:
    opened: int = 0
    skipped: int = 0  # refused by the case type's opening rules (e.g. the plan's final report was accepted)


def owed(workflow: Workflow, plan: Plan, year: int, today: date) -> list[tuple[Yearly, dict[str, Any]]]:
    """The yearly cases the plan owes for `year` that are still ahead of their due date."""
    if not (plan.period_start.year <= year <= plan.period_end.year):
        return []
    found = []
    for yearly in workflow.yearly:
        due = calendar.next_working_day(date(year + 1, *yearly.due))
        if due >= today:
            found.append((yearly, {**yearly.data, "period": str(year), "due_date": due.isoformat()}))
    return found


def signature(workflow: Workflow, data: Mapping[str, Any]) -> tuple[str, ...]:
    """What makes a yearly case the same one: its declared data (e.g. the report) and its period."""
    keys = sorted({k for y in workflow.yearly for k in y.data})
    return (*(str(data.get(k)) for k in keys), str(data.get("period")))


def existing(session: Session, workflow: Workflow, plan_id: int) -> set[tuple[str, ...]]:
    """The signatures of the plan's cases of the type, open or closed."""
    rows = session.exec(select(Case.data).where(Case.case_type == workflow.key, Case.plan_id == plan_id))
    return {signature(workflow, data) for data in rows}


def open_owed(engine: Engine, now: datetime, hours: Hours) -> Opened:
    """Open every yearly case owed for the year before today, and tell the plans' project leaders."""
    today = now.astimezone(calendar.LOCAL).date()
    done = Opened()
    with Session(engine, expire_on_commit=False) as session:
        plans = list(session.exec(select(Plan).order_by(col(Plan.id))))
        for workflow in (w for w in WORKFLOWS.values() if w.yearly):
            for plan in plans:
                assert plan.id is not None
                have = existing(session, workflow, plan.id)
                for yearly, data in owed(workflow, plan, today.year - 1, today):
                    if signature(workflow, data) in have:
                        continue
                    try:
                        case = open_case(
                            session=session,
                            actor=SERVICE,
                            case_type=workflow.key,
                            title=f"{yearly.da} {data['period']}",
                            plan_id=plan.id,
                            data=data,
                            now=now,
                        )
                    except ServiceError:
                        done.skipped += 1
                        continue
                    done.opened += 1
                    tell_leaders(session, case, now=now, hours=hours)
    return done


def tell_leaders(session: Session, case: Case, *, now: datetime, hours: Hours) -> None:
    setting = case_setting(session, plan_id=case.plan_id, deciding_board_id=case.deciding_board_id)
    today = now.astimezone(calendar.LOCAL).date()
    leaders = people.audience(session, Audience.project_leaders, case, setting, today)
    tell(session, Notice(case.id, NoticeKind.report, "report_due", f"report:{case.id}", WHY), leaders, now=now, hours=hours)
    session.commit()
