"""The secretariat pauses, resumes and extends a case's deadlines, each with a reason kept in the case's history;
anyone who gets reminders may snooze them for themselves, which moves no deadline.

A change is an event on the case (`deadline_paused`, `deadline_resumed`, `deadline_extended`): it bumps the
case's version like any action, so two people changing the same case at once get one success and one 409.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from service.authz import Actor
from service.cases import statements
from service.cases.lifecycle import conflict
from service.cases.situation import Situation, load
from service.cases.visibility import visible
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.notify import rungs
from service.persistence.case_tables import CASE_DEADLINES, Case, CaseDeadline, DeadlineStatus
from service.persistence.db import write_transaction
from service.persistence.notify_tables import ReminderFired, Snooze
from workflows import calendar
from workflows.schemas import Strict

MAX_EXTENSION = timedelta(days=730)


class Change(StrEnum):
    pause = "pause"
    unpause = "unpause"  # over HTTP: DELETE .../pause
    extend = "extend"


EVENT = {Change.pause: "deadline_paused", Change.unpause: "deadline_resumed", Change.extend: "deadline_extended"}


class DeadlineChange(Strict):
    expected_version: int = Field(ge=1, le=2_000_000_000)
    reason: str = Field(min_length=3, max_length=500, description="Why, in a sentence: kept in the case's history")
    due_on: date | None = Field(default=None, description="The new due date (extend only)")


class SnoozeRequest(Strict):
    until: date = Field(description="No reminders of this deadline to you until this day (inclusive)")


@dataclass(frozen=True)
class Moved:
    due_on: date
    escalate_on: date | None
    paused_since: date | None


def moved(row: CaseDeadline, change: Change, body: DeadlineChange, today: date) -> Moved:
    """The deadline's dates after the change, or the refusal that says why not."""
    if change == Change.pause:
        if row.paused_since is not None:
            raise Conflict("The deadline is paused already.", da="Fristen er allerede sat i bero.")
        return Moved(row.due_on, row.escalate_on, today)
    if change == Change.unpause:
        if row.paused_since is None:
            raise Conflict("The deadline is not paused.", da="Fristen er ikke sat i bero.")
        days = calendar.working_days_between(row.paused_since, today)  # the pause does not count against anyone
        escalate = calendar.add_working_days(row.escalate_on, days) if row.escalate_on else None
        return Moved(calendar.add_working_days(row.due_on, days), escalate, None)
    if body.due_on is None or body.due_on <= row.due_on:
        message = "An extension needs a new due date later than the current one."
        da = "En forlængelse kræver en ny frist, der ligger senere end den nuværende."
        raise Invalid(message, [{"field": "due_on", "message": message}], da=da)
    if body.due_on - today > MAX_EXTENSION:
        message = "A deadline can be extended at most two years ahead."
        raise Invalid(message, [{"field": "due_on", "message": message}], da="En frist kan højst forlænges to år frem.")
    due = calendar.next_working_day(body.due_on)
    escalate = row.escalate_on + (due - row.due_on) if row.escalate_on else None
    return Moved(due, escalate, row.paused_since)


def next_rung(session: Session, here: Situation, row: CaseDeadline, dates: Moved, today: date) -> rungs.Rung | None:
    """The first rung of the moved ladder that has not fired and is not in the past."""
    spec = next(d for d in here.workflow.deadlines if d.name == row.name)
    fired = set(session.exec(select(ReminderFired.rung).where(ReminderFired.deadline_id == row.id)))
    ladder = rungs.ladder(spec, opened_on=today, due_on=dates.due_on, escalate_on=dates.escalate_on)
    return next((r for r in ladder if r.name not in fired and r.on >= today), None)


def find(session: Session, case_id: int, deadline_id: int) -> CaseDeadline:
    row = session.get(CaseDeadline, deadline_id)
    if row is None or row.case_id != case_id:
        raise NotFound(f"The case has no deadline {deadline_id}.", da=f"Sagen har ingen frist med id {deadline_id}.")
    return row


def change_deadline(
    *, session: Session, actor: Actor, case_id: int, deadline_id: int, change: Change, body: DeadlineChange, now: datetime
) -> Situation:
    """Pause, resume or extend one open deadline of a case (the secretariat only), in one transaction."""
    write_transaction(session)
    try:
        here = load(session, actor, case_id, visible=visible(session, actor))
        if not actor.is_secretariat:
            raise Forbidden(
                "Only the secretariat can pause, resume or extend a deadline.",
                da="Kun sekretariatet kan sætte en frist i bero, genoptage eller forlænge den.",
            )
        row = find(session, case_id, deadline_id)
        if row.status != DeadlineStatus.open:
            raise Conflict("The deadline is no longer running.", da="Fristen løber ikke længere.")
        if here.case.version != body.expected_version:
            raise conflict(here, "Someone else changed the case meanwhile.", "En anden har ændret sagen imens.")
        today = now.astimezone(calendar.LOCAL).date()
        dates = moved(row, change, body, today)
        rung = next_rung(session, here, row, dates, today)
        write(session, here, actor, row, change, body, dates, rung, now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return load(session, actor, case_id, visible=visible(session, actor))


def write(
    session: Session,
    here: Situation,
    actor: Actor,
    row: CaseDeadline,
    change: Change,
    body: DeadlineChange,
    dates: Moved,
    rung: rungs.Rung | None,
    now: datetime,
) -> None:
    """The new dates on the row, the case's version bumped (checked) and the event in its history."""
    case: Case = here.case
    bumped = session.connection().execute(
        statements.UPDATE_CASE, {"b_id": case.id, "b_version": case.version, "version": case.version + 1}
    )
    if bumped.rowcount != 1:
        raise conflict(here, "Someone else changed the case at the same moment.", "En anden ændrede sagen i samme øjeblik.")
    session.connection().execute(
        update(CASE_DEADLINES)
        .where(CASE_DEADLINES.c.id == row.id)
        .values(
            due_on=dates.due_on,
            escalate_on=dates.escalate_on,
            paused_since=dates.paused_since,
            next_rung=rung.name if rung else None,
            next_rung_on=rung.on if rung else None,
        )
    )
    data: dict[str, Any] = {"deadline": row.name, "due_on": dates.due_on.isoformat()}  # the reason is the comment
    if dates.due_on != row.due_on:
        data["was_due_on"] = row.due_on.isoformat()
    record(session, case, actor, EVENT[change], body.reason, data, now)


def record(
    session: Session, case: Case, actor: Actor, action: str, comment: str, data: dict[str, Any], now: datetime
) -> None:
    """The change's event in the case's history: the state stays, the version is the one just bumped."""
    event = dict(
        case_id=case.id,
        seq=case.version + 1,
        at=now,
        actor_id=actor.user_id,
        action=action,
        from_state=case.state,
        to_state=case.state,
        comment=comment,
        data=data,
    )
    session.connection().execute(statements.INSERT_EVENT, event)


def snooze(*, session: Session, actor: Actor, case_id: int, deadline_id: int, until: date, today: date) -> Snooze:
    """Hold this person's reminders of one deadline until a day; the deadline and everyone else's stay as they are."""
    write_transaction(session)
    load(session, actor, case_id, visible=visible(session, actor))
    find(session, case_id, deadline_id)
    if not today <= until <= today + timedelta(days=90):
        message = "A snooze must end between today and 90 days from now."
        raise Invalid(message, [{"field": "until", "message": message}], da="En udsættelse skal slutte inden 90 dage.")
    mine = select(Snooze).where(Snooze.user_id == actor.user_id, Snooze.deadline_id == deadline_id)
    row = session.exec(mine).first() or Snooze(user_id=actor.person, deadline_id=deadline_id, until=until)
    row.until = until
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            "You snoozed this deadline in another window at the same moment.", da="Du har udsat den imens."
        ) from None
    session.refresh(row)
    return row
