"""Taking an action on a case: one database transaction, all or nothing.

The situation is loaded once (the case, if the actor may see it, the register around it and the current round).
The case type's machine evaluates the action's guards once and runs the step: checks that need the register,
the new data, then the row (checked against the expected version), one history event, deadlines, effects and
notifications. A refused action writes nothing. The response is built from the situation after the action,
inside the same transaction.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from service.authz import Actor
from service.cases import statements
from service.cases.situation import Situation, after, load, situation
from service.cases.step import Overtaken, Step
from service.cases.visibility import visible
from service.errors import Conflict, Forbidden, Invalid, ServiceError, field_errors
from service.idempotency import check_replay, fingerprint
from service.persistence.case_tables import Case
from service.persistence.db import write_transaction
from workflows.machine import Assessment, fire, scope, who_text, who_text_da
from workflows.spec import Guard

log = logging.getLogger(__name__)
RETRYABLE = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure


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


def conflict(here: Situation, detail: str, da: str) -> Conflict:
    """A 409 that names the case's state, version and what the actor may do now."""
    allowed = [a.action.name for a in here.options() if a.allowed]
    return Conflict(detail, da=da, state=here.case.state, version=here.case.version, allowed_actions=allowed)


@dataclass(frozen=True)
class Outcome:
    """The case after an accepted action, with the situation the response is built from."""

    case: Case
    situation: Situation


def apply_action(
    *,
    session: Session,
    actor: Actor,
    case_id: int,
    action: str,
    expected_version: int,
    comment: str = "",
    data: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    respond: Any = None,
) -> Any:
    """Take an action on a case the actor can see, in one transaction, or refuse it leaving no trace.

    `respond(outcome)` builds the response inside the transaction (before the commit); without it the outcome
    itself is returned.
    """
    now = now or datetime.now(UTC)
    write_transaction(session)
    try:
        outcome = _apply(session, actor, case_id, action, expected_version, comment, data, idempotency_key, now)
        response = respond(outcome) if respond else outcome
        session.commit()
    except IntegrityError:
        session.rollback()
        if not idempotency_key:
            raise
        print_ = fingerprint(action, expected_version, comment, data)
        return _replayed(session, actor, case_id, idempotency_key, print_, respond)  # the retry's first try won
    except BaseException as error:
        session.rollback()
        raise _explained(session, error, actor, case_id, action) from None
    return response


def take(
    session: Session,
    actor: Actor,
    case_id: int,
    action: str,
    expected_version: int,
    *,
    comment: str = "",
    data: dict[str, Any] | None = None,
    now: datetime,
) -> Outcome:
    """An action inside the caller's transaction, neither committed nor rolled back here: for a step that follows
    another one at once (a written procedure's decision after its last vote) or a worker's own transaction."""
    return _apply(session, actor, case_id, action, expected_version, comment, data, None, now)


def _explained(session: Session, error: BaseException, actor: Actor, case_id: int, action: str) -> BaseException:
    """The refusal to raise for an error inside the transaction (already rolled back)."""
    if isinstance(error, ServiceError):
        log.info("refused %s on case %s by %s: %s", action, case_id, actor.username, error.detail)
    if isinstance(error, OperationalError) and getattr(error.orig, "sqlstate", None) in RETRYABLE:
        here = load(session, actor, case_id, visible=visible(session, actor))
        return conflict(
            here,
            "Another action on related data ran at the same moment; try again.",
            "En anden handling på de samme data kørte i samme øjeblik; prøv igen.",
        )
    if isinstance(error, Conflict) and "state" not in error.extra:  # an effect refused: say what is possible now
        here = load(session, actor, case_id, visible=visible(session, actor))
        return conflict(here, error.detail, error.detail_da or error.detail)
    if isinstance(error, Overtaken):
        here = load(session, actor, case_id, visible=visible(session, actor))
        return conflict(
            here,
            "Someone else changed the case at the same moment.",
            "En anden ændrede sagen i samme øjeblik. Hent den igen, og prøv igen.",
        )
    return error


def _replayed(session: Session, actor: Actor, case_id: int, key: str, print_: str, respond: Any) -> Any:
    """The answer to a retry whose first attempt committed: the case as it is now."""
    here = load(session, actor, case_id, visible=visible(session, actor))
    _check_replay(session, here, actor, key, print_)
    outcome = Outcome(here.case, here)
    return respond(outcome) if respond else outcome


def _check_replay(session: Session, here: Situation, actor: Actor, key: str, print_: str) -> bool:
    """True if this idempotency key already took this request on the case; 422 if it came with another."""
    first = session.connection().execute(statements.REPLAY, {"case_id": here.case.id, "key": key}).first()
    if first is not None:
        check_replay(key, stored_actor=first[0], stored_print=first[1], actor=actor.person, print_=print_)
    return first is not None


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
) -> Outcome:
    here = load(session, actor, case_id, visible=visible(session, actor))
    print_ = fingerprint(action, expected_version, comment, data) if key else None
    if key and print_ and _check_replay(session, here, actor, key, print_):
        return Outcome(here.case, here)
    case = here.case
    if case.version != expected_version:
        raise conflict(
            here,
            f"The case has changed since version {expected_version}: it is now version {case.version}, "
            f"in state '{case.state}'. Reload it and try again.",
            f"Sagen er ændret siden version {expected_version}: den er nu version {case.version} "
            f"i tilstanden '{case.state}'. Hent den igen, og prøv igen.",
        )
    spec = here.workflow.action(action)
    if spec is None or case.state not in spec.source:
        raise conflict(
            here,
            f"'{action}' is not possible while the case is '{case.state}'.",
            f"'{action}' er ikke muligt, mens sagen er '{case.state}'.",
        )
    action_data = validate(spec.requires, data)
    facts = scope(spec, here.roles, here.with_input(action_data))
    if facts is None:
        raise Forbidden(
            f"You may not do this: only {who_text(spec)} may {spec.en.lower()}.",
            da=f"Du må ikke gøre dette: kun {who_text_da(spec)} må udføre »{spec.da}«.",
        )
    step = Step(session, actor, here, spec, action_data, comment, key, print_, now)
    refused = fire(case.case_type, case.state, spec.name, facts, step)
    if refused is not None:
        raise _refusal(here, refused)
    assert step.case is not None and step.event_data is not None
    return Outcome(step.case, after(session, here, actor, spec, step.case, step.event_data))


def _refusal(here: Situation, guard: Guard) -> ServiceError:
    """The error a refusing guard gives: 403 not you, 422 the data is wrong, 409 not now."""
    reason, reason_da = f"{guard.reason}.", f"{guard.reason_da}."
    if guard.status == 403:
        return Forbidden(f"You may not do this: {reason}", da=f"Du må ikke gøre dette: {reason_da}")
    if guard.status == 422:
        field = guard.field or "data"
        return Invalid(
            f"The request is not valid: {field}: {reason}",
            [{"field": field, "message": reason}],
            da=f"Forespørgslen er ikke gyldig: {field}: {reason_da}",
        )
    return conflict(here, f"Not possible now: {reason}", f"Ikke muligt nu: {reason_da}")


def allowed_actions(session: Session, *, case: Case, actor: Actor) -> list[Assessment]:
    """Every action from the case's state, with whether this actor may take it now and why not."""
    return situation(session, case, actor).options()
