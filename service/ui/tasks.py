"""'Mine opgaver': the open cases where the user has a part to play now, the landing page after login.

A case is a task while one of its allowed actions waits for this user: not an optional contribution nobody waits
for, not dropping the case, and not a vote or consent the user's organisations have all given already.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from service.authz import Actor
from service.cases.expected import expected_decision_date
from service.cases.listing import text_match
from service.cases.overdue import is_overdue
from service.cases.situation import situation
from service.cases.visibility import visible
from service.deps import SessionDep
from service.forecasting.chain import known
from service.meetings import written
from service.persistence.case_tables import Case, CaseDeadline, CaseEvent
from service.persistence.tables import District, Plan
from service.ui.case_pages import actor_of, clock, next_deadlines
from service.ui.views import render, to_login, ui_user
from workflows.machine import Assessment
from workflows.registry import WORKFLOWS
from workflows.spec import Collect

router = APIRouter(include_in_schema=False)
SOON = timedelta(days=7)  # a deadline this close is "due soon"
SORTS = ("frist", "sag", "dato")


@dataclass(frozen=True)
class Task:
    case: Case
    actions: list[str]  # the actions waiting for the user, in the case type's order
    since: datetime | None  # the case's last event
    deadline: CaseDeadline | None
    urgency: str  # "overdue", "soon" or ""
    expected: date | None = None  # the expected decision (meetings, written procedure, LBF)


def waits_for_me(option: Assessment) -> bool:
    """An allowed action that someone waits for the user to take."""
    action, facts = option.action, option.facts
    if not option.allowed or action.optional or action.abandons:
        return False
    if action.collects is not None and facts is not None:
        given = facts.votes.keys() if action.collects == Collect.vote else facts.consents
        mine = facts.acting_for & facts.voters if facts.voters else facts.acting_for
        return bool(mine - set(given))
    return True


def tasks(session: Session, actor: Actor, today: date, *, q: str = "", case_type: str = "", district: int = 0) -> list[Task]:
    """The user's tasks, each with its soonest deadline and its last event."""
    query = select(Case).where(visible(session, actor), col(Case.is_open))
    if case_type in WORKFLOWS:
        query = query.where(Case.case_type == case_type)
    if district:
        query = query.where(col(Case.plan_id).in_(select(Plan.id).where(Plan.district_id == district)))
    if q.strip():
        query = query.where(text_match(session, q.strip()))
    waiting, calendar_now = {}, known(session, today)
    for case in session.exec(query):
        here = situation(session, case, actor)
        mine = [o.action.name for o in here.options() if waits_for_me(o)]
        if mine:
            waiting[case.id or 0] = (case, mine, expected_decision_date(session, here, today, calendar_now))
    due = next_deadlines(session, list(waiting))
    last = dict(
        session.exec(
            select(CaseEvent.case_id, func.max(CaseEvent.at))
            .where(col(CaseEvent.case_id).in_(list(waiting)))
            .group_by(col(CaseEvent.case_id))
        ).all()
    )
    return [
        Task(case, mine, last.get(cid), due.get(cid), urgency(due.get(cid), today), expected)
        for cid, (case, mine, expected) in waiting.items()
    ]


def urgency(deadline: CaseDeadline | None, today: date) -> str:
    if deadline is None:
        return ""
    if is_overdue(deadline, today):
        return "overdue"
    return "soon" if not deadline.paused_since and deadline.due_on <= today + SOON else ""


def sorted_tasks(found: list[Task], sort: str) -> list[Task]:
    """By deadline (soonest first, none last), by reference, or by the last event (newest first)."""
    if sort == "sag":
        return sorted(found, key=lambda t: t.case.reference)
    if sort == "dato":
        return sorted(found, key=lambda t: t.since or datetime.min.replace(tzinfo=None), reverse=True)
    return sorted(found, key=lambda t: (t.deadline is None, t.deadline.due_on if t.deadline else date.max, t.case.id))


@router.get("/opgaver")
def my_tasks(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    sagstype: Annotated[str, Query(max_length=50)] = "",
    bydel: Annotated[int, Query(ge=0, le=10**9)] = 0,
    sort: Annotated[str, Query(max_length=10)] = "frist",
) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    actor, today = actor_of(request, session, user), clock(request).today()
    found = sorted_tasks(tasks(session, actor, today, q=q, case_type=sagstype, district=bydel), sort)
    return render(
        request,
        "tasks.html",
        user=user,
        tasks=found,
        plans={p.id: p for p in session.exec(select(Plan))},
        districts=session.exec(select(District).order_by(col(District.name))).all(),
        workflows=WORKFLOWS,
        writing=written.in_procedure(session, [t.case.id for t in found if t.case.id is not None]),
        sits=bool(actor.seats) or actor.is_secretariat,
        votes_in_writing=not actor.is_secretariat,  # the secretariat records votes from letters on the case page
        filters={"q": q, "sagstype": sagstype, "bydel": bydel, "sort": sort if sort in SORTS else "frist"},
        today=today,
    )
