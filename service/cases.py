"""Opening cases and taking actions on them: one database transaction per call, all or nothing.

An accepted action changes the case row (checked against the expected version), appends one history
event, closes and opens deadline rows, writes outbox rows for its notifications and applies its effects.
A refused action writes nothing.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from service import effects, opening, outbox
from service.authz import CITY, Actor, CaseSetting, case_setting, plan_deciding_board, roles_for
from service.deadlines import open_deadlines, sync_deadlines
from service.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError, field_errors
from service.persistence.case_tables import CASE_EVENTS, CASES, Case, CaseEvent
from service.persistence.db import write_transaction
from service.persistence.tables import Board, BoardKind, Plan
from service.stats.intervals import record_transition
from workflows.machine import Assessment, assess, fire
from workflows.registry import WORKFLOWS
from workflows.schemas import Vote
from workflows.spec import ROLE_DA, Action, Collect, Decider, Facts, Role, Workflow

log = logging.getLogger(__name__)
RETRYABLE = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure
ROUND_RULE = "round_rule"  # stored in the data of the event that starts a decision round

# The hot path's statements, built once: per action only their parameters change.
LOAD_CASE = sa_select(CASES).where(CASES.c.id == bindparam("case_id"))
UPDATE_CASE = update(CASES).where(CASES.c.id == bindparam("b_id"), CASES.c.version == bindparam("b_version"))
INSERT_EVENT = insert(CASE_EVENTS).returning(CASE_EVENTS.c.id)


@dataclass(frozen=True)
class Situation:
    """A case with its workflow, register setting and the actor's roles on it."""

    case: Case
    workflow: Workflow
    setting: CaseSetting
    roles: dict[Role, frozenset[str]]
    facts: Facts


def validate(schema: type[BaseModel] | None, data: dict[str, Any] | None, prefix: str = "data") -> dict[str, Any]:
    """Input checked against its schema, as plain JSON-ready data; a 422 naming each bad field otherwise."""
    if schema is None:
        if data:
            raise Invalid(f"This action takes no {prefix}.", [{"field": prefix, "message": "must be empty"}])
        return {}
    try:
        return schema.model_validate(data or {}).model_dump(mode="json", exclude_none=True)
    except ValidationError as error:
        raise field_errors(error, prefix) from None


def situation(session: Session, case: Case, actor: Actor, action_data: dict[str, Any] | None = None) -> Situation:
    workflow = WORKFLOWS[case.case_type]
    setting = case_setting(
        session, plan_id=case.plan_id, deciding_board_id=case.deciding_board_id, city_is_party=workflow.city_veto
    )
    votes, consents, rule = _round(session, case, workflow)
    facts = Facts(
        state=case.state,
        data=case.data,
        action_data=action_data or {},
        voters=setting.voters,
        votes=votes,
        decision_rule=rule or setting.decision_rule,
        consents=consents,
        veto=frozenset({CITY}) if workflow.city_veto else frozenset(),
        competence=setting.competence,
    )
    return Situation(case, workflow, setting, roles_for(actor, setting), facts)


def _round(session: Session, case: Case, workflow: Workflow) -> tuple[dict[str, str], frozenset[str], str | None]:
    """Votes, consents and the decision rule of the round that began when the case last entered its state.

    The rule is the one stored when the round began (domain.md §3.1): a charter that comes into force during
    the round does not change how its votes are counted.
    """
    if not workflow.collects_in(case.state):
        return {}, frozenset(), None
    rows = session.exec(
        select(CaseEvent.action, CaseEvent.from_state, CaseEvent.to_state, CaseEvent.data)
        .where(CaseEvent.case_id == case.id)
        .order_by(col(CaseEvent.seq))
    )
    votes: dict[str, str] = {}
    consents: set[str] = set()
    rule: str | None = None
    for action, from_state, to_state, data in rows:
        spec = workflow.action(action)
        if to_state == case.state and from_state != to_state:
            votes, consents, rule = {}, set(), data.get(ROUND_RULE)  # a new round begins each time
        elif spec is not None and spec.collects == Collect.vote:
            vote = Vote.model_validate(data)
            votes[vote.organisation] = vote.vote
        elif spec is not None and spec.collects == Collect.consent:
            consents.add(data["organisation"])
    return votes, frozenset(consents), rule


def allowed_actions(session: Session, *, case: Case, actor: Actor) -> list[Assessment]:
    """Every action from the case's state, with whether this actor may take it now and why not."""
    here = situation(session, case, actor)
    return assess(here.workflow, case.state, here.roles, here.facts)


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"There is no case with id {case_id}.", da=f"Der er ingen sag med id {case_id}.")
    return case


def _conflict(session: Session, case: Case, actor: Actor, detail: str, da: str) -> Conflict:
    allowed = [a.action.name for a in allowed_actions(session, case=case, actor=actor) if a.allowed]
    return Conflict(detail, da=da, state=case.state, version=case.version, allowed_actions=allowed)


def apply_action(
    session: Session,
    *,
    actor: Actor,
    case_id: int,
    action: str,
    expected_version: int,
    comment: str = "",
    data: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Case:
    """Take an action on a case in one transaction, or refuse it leaving no trace."""
    now = now or datetime.now(UTC)
    write_transaction(session)
    try:
        case, written = _apply(session, actor, case_id, action, expected_version, comment, data, idempotency_key, now)
        session.commit()
    except OperationalError as error:
        session.rollback()
        if getattr(error.orig, "sqlstate", None) not in RETRYABLE:  # deadlock or serialization failure: say so
            raise
        current = get_case(session, case_id)
        raise _conflict(
            session,
            current,
            actor,
            "Another action on related data ran at the same moment; try again.",
            "En anden handling på de samme data kørte i samme øjeblik; prøv igen.",
        ) from None
    except IntegrityError:
        session.rollback()
        replay = _replay(session, case_id, idempotency_key, action) if idempotency_key else None
        if replay is None:
            raise
        return replay
    except Conflict as error:
        session.rollback()
        log.info("refused %s on case %s by %s: %s", action, case_id, actor.username, error.detail)
        if "state" not in error.extra and (stored := session.get(Case, case_id)) is not None:
            raise _conflict(session, stored, actor, error.detail, error.detail_da or error.detail) from None
        raise
    except BaseException as error:
        session.rollback()
        if isinstance(error, ServiceError):
            log.info("refused %s on case %s by %s: %s", action, case_id, actor.username, error.detail)
        raise
    for name, value in written.items():  # what was written, without reading the row back
        setattr(case, name, value)
    session.expire_all()  # rows this session loaded before may have been written with Core statements
    return case


def _replay(session: Session, case_id: int, key: str, action: str) -> Case | None:
    """The case as it is now, if this idempotency key already took this action on it."""
    first = session.exec(
        select(CaseEvent.action).where(CaseEvent.case_id == case_id, CaseEvent.idempotency_key == key)
    ).first()
    if first is None:
        return None
    if first != action:
        raise Conflict(f"The Idempotency-Key {key!r} was already used for '{first}' on this case.")
    return get_case(session, case_id)


def _apply(
    session: Session,
    actor: Actor,
    case_id: int,
    action: str,
    expected_version: int,
    comment: str,
    data: dict[str, Any] | None,
    key: str | None,
    now: datetime,
) -> tuple[Case, dict[str, Any]]:
    loaded = session.connection().execute(LOAD_CASE, {"case_id": case_id}).first()
    if loaded is None:
        raise NotFound(f"There is no case with id {case_id}.", da=f"Der er ingen sag med id {case_id}.")
    case = Case(**loaded._mapping)  # a detached snapshot of the row: the engine writes the row with Core statements
    if key and (replay := _replay(session, case_id, key, action)) is not None:
        return replay, {}
    if case.version != expected_version:
        raise _conflict(
            session, case, actor,
            f"The case has changed since version {expected_version}: it is now version {case.version}, "
            f"in state '{case.state}'. Reload it and try again.",
            f"Sagen er ændret siden version {expected_version}: den er nu version {case.version} "
            f"i tilstanden '{case.state}'. Hent den igen, og prøv igen.",
        )  # fmt: skip
    spec, action_data, here, facts = _authorize(session, actor, case, action, data, now)
    return case, _write(session, actor, here, spec, facts, action_data, comment=comment, key=key, now=now)


def _authorize(
    session: Session, actor: Actor, case: Case, action: str, data: dict[str, Any] | None, now: datetime
) -> tuple[Action, dict[str, Any], Situation, Facts]:
    """The action's declaration, its checked input, the situation and the facts its guards passed on; or a refusal."""
    spec = WORKFLOWS[case.case_type].action(action)
    if spec is None or case.state not in spec.source:
        raise _conflict(
            session, case, actor, f"'{action}' is not possible while the case is '{case.state}'.",
            f"'{action}' er ikke muligt, mens sagen er '{case.state}'.",
        )  # fmt: skip
    action_data = validate(spec.requires, data)
    here = situation(session, case, actor, action_data)
    verdict = next(a for a in assess(here.workflow, case.state, here.roles, here.facts) if a.action.name == action)
    if not verdict.allowed:
        reason, reason_da = f"{verdict.reason}.", f"{verdict.reason_da}."
        if verdict.guard is None or verdict.guard.status == 403:
            raise Forbidden(f"You may not do this: {reason}", da=f"Du må ikke gøre dette: {reason_da}")
        if verdict.guard.status == 422:
            field = verdict.guard.field or "data"
            raise Invalid(f"The request is not valid: {field}: {reason}", [{"field": field, "message": reason}],
                          da=f"Forespørgslen er ikke gyldig: {field}: {reason_da}")  # fmt: skip
        raise _conflict(session, case, actor, f"Not possible now: {reason}", f"Ikke muligt nu: {reason_da}")
    if spec.on_behalf:
        effects.check_source(session, case=case, action_data=action_data, now=now)
    elif action_data.get("meeting_id") is not None:
        effects.check_meeting(session, case_board_id=case.deciding_board_id, meeting_id=action_data["meeting_id"], now=now)
    return spec, action_data, here, verdict.facts or here.facts


def _write(
    session: Session,
    actor: Actor,
    here: Situation,
    spec: Action,
    facts: Facts,
    action_data: dict[str, Any],
    *,
    comment: str,
    key: str | None,
    now: datetime,
) -> dict[str, Any]:
    """The case row (if still at its version), the event, deadlines, effects and outbox; returns what the row got."""
    case, workflow = here.case, here.workflow
    assert case.id is not None
    old_state = case.state
    new_state = fire(case.case_type, old_state, spec.name, facts)
    new_data = effects.prepare(session, here, spec, action_data, now)
    deciding = new_data.pop("_deciding_board_id", case.deciding_board_id)
    row = dict(state=new_state, version=case.version + 1, data=new_data, deciding_board_id=deciding,
               is_open=new_state not in workflow.final_states)  # fmt: skip
    event_data = action_data
    if new_state != old_state and workflow.collects_in(new_state):
        event_data = {**action_data, ROUND_RULE: here.setting.decision_rule}
    connection = session.connection()
    if connection.execute(UPDATE_CASE, {"b_id": case.id, "b_version": case.version, **row}).rowcount != 1:
        session.rollback()
        raise _conflict(
            session, get_case(session, case.id), actor, "Someone else changed the case at the same moment.",
            "En anden ændrede sagen i samme øjeblik. Hent den igen, og prøv igen.",
        )  # fmt: skip
    event_id = connection.execute(
        INSERT_EVENT,
        dict(case_id=case.id, seq=row["version"], at=now, actor_id=actor.user_id,
             acting_for_id=effects.organisation_id(session, action_data.get("organisation")), action=spec.name,
             from_state=old_state, to_state=new_state, comment=comment, data=event_data, idempotency_key=key),
    ).scalar_one()  # fmt: skip
    record_transition(connection, case_id=case.id, case_type=case.case_type, old_state=old_state, new_state=new_state,
                      at=now, old_board_id=case.deciding_board_id, new_board_id=deciding)  # fmt: skip
    if new_state != old_state:
        sync_deadlines(session, workflow, case_id=case.id, old_state=old_state, state=new_state, data=new_data,
                       event_id=event_id, now=now, abandoned=spec.abandons)  # fmt: skip
    effects.apply(session, here, spec, action_data, event_id, now)
    outbox.enqueue(session, spec, case_id=case.id, event_id=event_id, now=now)
    return row


def open_case(
    session: Session,
    *,
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
    if not roles_for(actor, setting).keys() & set(workflow.creators):
        who = ", ".join(r.value.replace("_", " ") for r in workflow.creators)
        who_da = ", ".join(ROLE_DA[r] for r in workflow.creators)
        raise Forbidden(
            f"You may not do this: only {who} may open a {workflow.en.lower()} here.",
            da=f"Du må ikke gøre dette: kun {who_da} må oprette en {workflow.da.lower()} her.",
        )
    facts = opening.opening_facts(session, workflow, setting, case_data, now)
    failed = next((g for g in workflow.open_guards if not g(facts)), None)
    if failed is not None:
        raise Conflict(f"A {workflow.en.lower()} cannot be opened now: {failed.reason}.",
                       da=f"En {workflow.da.lower()} kan ikke oprettes nu: {failed.reason_da}.")  # fmt: skip
    case_data = opening.on_open(session, workflow, plan_id, case_data)
    case = Case(reference=f"new-{uuid.uuid4().hex[:24]}", case_type=workflow.key, state=workflow.initial, title=title,
                description=description, plan_id=plan_id, board_id=board_id if workflow.subject == "board" else None,
                deciding_board_id=deciding, data=case_data, created_by_id=actor.user_id)  # fmt: skip
    session.add(case)
    session.flush()
    assert case.id is not None
    case.reference = f"BS-{now.year}-{case.id:04d}"
    event = CaseEvent(case_id=case.id, seq=1, at=now, actor_id=actor.user_id, action="open", from_state=None,
                      to_state=workflow.initial, data=case_data)  # fmt: skip
    session.add(event)
    session.flush()
    assert event.id is not None
    record_transition(session.connection(), case_id=case.id, case_type=workflow.key, old_state=None,
                      new_state=workflow.initial, at=now)  # fmt: skip
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
