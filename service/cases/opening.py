"""Opening a case: who may, the opening rules of its type (domain.md §3.1) on the facts of its plan, one transaction."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from service.authz import Actor, CaseSetting, case_setting, plan_deciding_board, roles_for
from service.cases import effects
from service.cases.deadlines import open_deadlines
from service.cases.lifecycle import validate
from service.errors import Conflict, Forbidden, Invalid
from service.persistence.case_tables import Case, CaseEvent
from service.persistence.db import write_transaction
from service.persistence.tables import Board, BoardKind, Plan
from service.stats.intervals import record_transition
from workflows import calendar
from workflows.registry import WORKFLOWS
from workflows.spec import ROLE_DA, Decider, Facts, Workflow


def opening_facts(session: Session, workflow: Workflow, setting: CaseSetting, data: dict[str, Any], now: datetime) -> Facts:
    """The plan's grant period, competence and other cases of the type, as the opening guards see them."""
    today = now.astimezone(calendar.LOCAL).date()
    period = setting.period
    others: list[tuple[str, str, bool, Any]] = []
    if setting.plan_id is not None:
        rows = session.exec(
            select(Case.reference, Case.state, Case.is_open, Case.data)
            .where(Case.plan_id == setting.plan_id, Case.case_type == workflow.key)
            .order_by(col(Case.id))
        )
        others = [(reference, state, is_open, case_data) for reference, state, is_open, case_data in rows]
    flag, state = workflow.final_report_when or ("", "")
    return Facts(
        data=data,
        competence=setting.competence,
        grant_running=period is not None and period[0] <= today <= period[1],
        grant_started=period is not None and period[0] <= today,
        final_report_accepted=any(s == state and d.get(flag) for _, s, _, d in others) if flag else False,
        others_open=tuple(reference for reference, _, is_open, _ in others if is_open),
    )


def open_case(
    *,
    session: Session,
    actor: Actor,
    case_type: str,
    title: str,
    description: str = "",
    plan_id: int | None = None,
    board_id: int | None = None,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Case:
    """Open a case of a type in its initial state, for the plan or board it concerns."""
    now = now or datetime.now(UTC)
    workflow = WORKFLOWS.get(case_type)
    if workflow is None:
        known = ", ".join(sorted(WORKFLOWS))
        raise Invalid(
            f"Unknown case type {case_type!r}; use one of {known}.", [{"field": "case_type", "message": "unknown"}]
        )
    case_data = validate(workflow.data_schema, data)
    write_transaction(session)
    try:
        case = _open(session, actor, workflow, title, description, plan_id, board_id, case_data, now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(case)
    return case


def _open(
    session: Session,
    actor: Actor,
    workflow: Workflow,
    title: str,
    description: str,
    plan_id: int | None,
    board_id: int | None,
    case_data: dict[str, Any],
    now: datetime,
) -> Case:
    """The new case with its first event and deadlines, once the opener's right and the opening rules hold."""
    effects.check_data(session, case_data)
    deciding = _subject(session, workflow, plan_id, board_id)
    plan_id = plan_id if workflow.subject == "plan" else None
    setting = case_setting(session, plan_id=plan_id, deciding_board_id=deciding)
    _check_opening(session, actor, workflow, setting, case_data, now)
    case_data = effects.on_open(session, workflow, plan_id, case_data)
    case = _insert(session, actor, workflow, title, description, plan_id, board_id, deciding, case_data, now)
    return case


def _check_opening(
    session: Session, actor: Actor, workflow: Workflow, setting: CaseSetting, data: dict[str, Any], now: datetime
) -> None:
    """403 unless the actor may open a case of the type here; 409 when an opening rule of the type refuses."""
    if not roles_for(actor, setting).keys() & set(workflow.creators):
        who = ", ".join(r.value.replace("_", " ") for r in workflow.creators)
        who_da = ", ".join(ROLE_DA[r] for r in workflow.creators)
        raise Forbidden(
            f"You may not do this: only {who} may open a {workflow.en.lower()} here.",
            da=f"Du må ikke gøre dette: kun {who_da} må oprette en {workflow.da.lower()} her.",
        )
    facts = opening_facts(session, workflow, setting, data, now)
    failed = next((g for g in workflow.open_guards if not g(facts)), None)
    if failed is not None:
        raise Conflict(
            f"A {workflow.en.lower()} cannot be opened now: {failed.reason}.",
            da=f"En {workflow.da.lower()} kan ikke oprettes nu: {failed.reason_da}.",
        )


def _insert(
    session: Session,
    actor: Actor,
    workflow: Workflow,
    title: str,
    description: str,
    plan_id: int | None,
    board_id: int | None,
    deciding: int | None,
    case_data: dict[str, Any],
    now: datetime,
) -> Case:
    """The case row, its first history event and the deadlines its initial state starts."""
    case = Case(
        reference=f"new-{uuid.uuid4().hex[:24]}",
        case_type=workflow.key,
        state=workflow.initial,
        title=title,
        description=description,
        plan_id=plan_id,
        board_id=board_id if workflow.subject == "board" else None,
        deciding_board_id=deciding,
        data=case_data,
        created_by_id=actor.user_id,
    )
    session.add(case)
    session.flush()
    assert case.id is not None
    case.reference = f"BS-{now.year}-{case.id:04d}"
    event = CaseEvent(
        case_id=case.id,
        seq=1,
        at=now,
        actor_id=actor.user_id,
        action="open",
        from_state=None,
        to_state=workflow.initial,
        data=case_data,
    )
    session.add(event)
    session.flush()
    assert event.id is not None
    record_transition(
        session.connection(), case_id=case.id, case_type=workflow.key, old_state=None, new_state=workflow.initial, at=now
    )
    open_deadlines(session, workflow, case_id=case.id, state=workflow.initial, data=case_data, event_id=event.id, now=now)
    return case


def _subject(session: Session, workflow: Workflow, plan_id: int | None, board_id: int | None) -> int | None:
    """Check the plan or board the case concerns and return the board that decides on it.

    The plan's row is locked for the transaction, so rules that count a plan's open cases hold under concurrency.
    """
    central = session.exec(select(Board.id).where(Board.kind == BoardKind.central)).first()
    if workflow.subject == "board":
        board = session.get(Board, board_id) if board_id else None
        if board is None or board.kind != BoardKind.district:
            raise Invalid(
                f"A {workflow.en.lower()} concerns a district board: give its board_id.",
                [{"field": "board_id", "message": "must be a district board"}],
                da=f"En {workflow.da.lower()} vedrører en bydelsbestyrelse: angiv dens board_id.",
            )
        return central
    plan = session.exec(select(Plan).where(Plan.id == plan_id).with_for_update()).first() if plan_id else None
    if plan is None:
        raise Invalid(
            f"A {workflow.en.lower()} concerns a plan: give an existing plan_id.",
            [{"field": "plan_id", "message": "unknown or missing"}],
        )
    if workflow.decider == Decider.central_board:
        return central
    board = plan_deciding_board(session, plan)
    return board.id if board else None
