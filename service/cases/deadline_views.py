"""A case's deadlines as readers see them: due dates, pauses and the reminder ladder with what has fired."""

from datetime import date

from pydantic import BaseModel
from sqlmodel import Session, col, select

from service.cases import statements
from service.cases.overdue import is_overdue
from service.notify import rungs
from service.persistence.case_tables import DeadlineStatus
from service.persistence.notify_tables import ReminderFired
from workflows.spec import Workflow


class RungPublic(BaseModel):
    name: str  # "before_7", "due", "escalate_1", ...
    on: date
    fired: bool


class DeadlinePublic(BaseModel):
    id: int
    name: str
    da: str
    en: str
    kind: str
    status: str
    due_on: date
    escalate_on: date | None
    rule: str
    overdue: bool
    paused_since: date | None = None
    next_rung: str | None = None
    next_rung_on: date | None = None
    rungs: list[RungPublic] = []


def deadlines_of(session: Session, workflow: Workflow, case_id: int, today: date) -> list[DeadlinePublic]:
    """Every deadline of the case, oldest first; open ones with their reminder ladder."""
    rows = session.connection().execute(statements.DEADLINES_OF_CASE, {"case_id": case_id}).all()
    fired_query = select(col(ReminderFired.deadline_id), col(ReminderFired.rung)).where(
        col(ReminderFired.deadline_id).in_([r.id for r in rows])
    )
    fired = set(session.exec(fired_query).all()) if rows else set()
    specs = {d.name: d for d in workflow.deadlines}
    views = []
    for d in rows:
        spec, running = specs.get(d.name), d.status == DeadlineStatus.open
        ladder = rungs.ladder(spec, opened_on=date.min, due_on=d.due_on, escalate_on=d.escalate_on) if spec else []
        views.append(
            DeadlinePublic(
                id=d.id,
                name=d.name,
                da=spec.da if spec else d.name,
                en=spec.en if spec else d.name,
                kind=d.kind,
                status=d.status,
                due_on=d.due_on,
                escalate_on=d.escalate_on,
                rule=d.rule,
                overdue=is_overdue(d, today),
                paused_since=d.paused_since,
                next_rung=d.next_rung,
                next_rung_on=d.next_rung_on,
                rungs=[RungPublic(name=r.name, on=r.on, fired=(d.id, r.name) in fired) for r in ladder] if running else [],
            )
        )
    return views
