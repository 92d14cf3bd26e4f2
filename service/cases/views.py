"""Read models of cases for the API and UI: the case with what the caller may do, lists, and the history."""

from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col

from service.authz import Actor
from service.cases import listing
from service.cases.deadline_views import DeadlinePublic, deadlines_of
from service.cases.expected import expected_decision
from service.cases.lifecycle import allowed_actions
from service.cases.situation import Situation
from service.forecasting.chain import known
from service.forecasting.public import ExpectedDecision, public
from service.persistence.case_tables import Case
from workflows.registry import WORKFLOWS


class ActionOption(BaseModel):
    name: str
    da: str
    en: str
    allowed: bool
    reason: str | None
    reason_da: str | None = None


class CaseSummary(BaseModel):
    id: int
    reference: str
    case_type: str
    state: str
    state_da: str
    version: int
    is_open: bool
    plan_id: int | None
    board_id: int | None
    deciding_board_id: int | None
    title: str


class CasePublic(CaseSummary):
    description: str
    data: dict[str, Any]
    deadlines: list[DeadlinePublic]
    expected_decision_date: date | None
    expected_decision: ExpectedDecision | None  # the date's chain of steps, overdue or not, and the slips so far
    allowed_actions: list[str]
    actions: list[ActionOption]


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    limit: int
    offset: int


def summary(case: Case) -> CaseSummary:
    workflow = WORKFLOWS[case.case_type]
    return CaseSummary(
        id=case.id or 0,
        reference=case.reference,
        case_type=case.case_type,
        state=case.state,
        state_da=workflow.state(case.state).da,
        version=case.version,
        is_open=case.is_open,
        plan_id=case.plan_id,
        board_id=case.board_id,
        deciding_board_id=case.deciding_board_id,
        title=case.title,
    )


def describe(session: Session, here: Situation, *, today: date) -> CasePublic:
    """The case as its caller sees it, with the actions they may take now and why others are refused."""
    case, options = here.case, here.options()
    facts = known(session, today)
    expected = expected_decision(session, here, today, facts)
    return CasePublic(
        **summary(case).model_dump(),
        description=case.description,
        data=case.data,
        deadlines=deadlines_of(session, here.workflow, case.id or 0, today),
        expected_decision_date=expected.on if expected else None,
        expected_decision=public(session, facts, expected, case.id or 0),
        allowed_actions=[o.action.name for o in options if o.allowed],
        actions=[
            ActionOption(
                name=o.action.name, da=o.action.da, en=o.action.en, allowed=o.allowed, reason=o.reason, reason_da=o.reason_da
            )
            for o in options
        ],
    )


def list_cases(
    session: Session, actor: Actor, *, filters: dict[str, Any], sort: str, limit: int, offset: int, today: date
) -> CasePage:
    """The visible cases matching the filters, one page of them, and how many match in all."""
    query = listing.ordered(listing.matching(session, actor, filters, today=today), sort)
    if filters.get("actionable"):
        mine = [
            c
            for c in session.exec(query.where(col(Case.is_open)))
            if any(o.allowed for o in allowed_actions(session, case=c, actor=actor))
        ]
        return CasePage(
            items=[summary(c) for c in mine[offset : offset + limit]], total=len(mine), limit=limit, offset=offset
        )
    return CasePage(
        items=[summary(c) for c in session.exec(query.limit(limit).offset(offset))],
        total=listing.count(session, query),
        limit=limit,
        offset=offset,
    )
