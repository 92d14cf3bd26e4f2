"""The deadline sweep: fire each due reminder rung once, to the right people, and move on to the next rung.

One indexed query finds open, unpaused deadlines whose next rung is due (on PostgreSQL `FOR UPDATE SKIP LOCKED`,
so sweeps in several workers share the work); an empty tick reads no row. Each deadline is handled in its own
savepoint: a failure is counted on the row (`attempts`, `last_error`) and the sweep goes on. The ledger's unique
(deadline, rung) key makes a rung fire once, however many workers, retries or restarts.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from service.authz import Actor, CaseSetting, case_setting
from service.notify import people, rungs
from service.notify.notices import Hours, Notice, insert_new, tell
from service.persistence.case_tables import CASE_DEADLINES, Case, CaseDeadline, DeadlineStatus
from service.persistence.notify_tables import NoticeKind, ReminderFired, Snooze
from service.persistence.tables import User
from workflows import calendar
from workflows.registry import WORKFLOWS
from workflows.spec import Deadline

LEDGER = ReminderFired.__table__  # type: ignore[attr-defined]
MAX_ATTEMPTS = 5  # a deadline whose rung failed this often is skipped until an operator looks (last_error kept)


@dataclass
class Swept:
    fired: int = 0
    notices: int = 0
    failed: int = 0


def due(today: date, limit: int) -> object:
    """Open, unpaused deadlines whose next rung is due, oldest first."""
    return (
        select(CaseDeadline)
        .where(
            CaseDeadline.status == DeadlineStatus.open,
            col(CaseDeadline.next_rung_on) <= today,
            col(CaseDeadline.paused_since).is_(None),
            CaseDeadline.attempts < MAX_ATTEMPTS,
        )
        .order_by(col(CaseDeadline.next_rung_on), col(CaseDeadline.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def ladder_of(row: CaseDeadline, spec: Deadline) -> list[rungs.Rung]:
    return rungs.ladder(spec, opened_on=date.min, due_on=row.due_on, escalate_on=row.escalate_on)


def recipients(
    session: Session,
    row: CaseDeadline,
    rung: rungs.Rung,
    case: Case,
    setting: CaseSetting,
    today: date,
    actors: dict[int, Actor],
) -> tuple[list[User], tuple[str, str]]:
    """Who hears of this rung and why: the people who must act (less those who snoozed it), or the escalation."""
    if rung.escalates:
        level = int(rung.name[-1])
        why = ("fristen er overskredet, og sagen er eskaleret til dig", "the deadline passed and was escalated to you")
        return people.escalated_to(session, case, setting, today, level=level), why
    snoozed = set(session.exec(select(Snooze.user_id).where(Snooze.deadline_id == row.id, Snooze.until >= today)))
    owing = people.must_act(session, case, setting, today, actors)
    named = [user for user, _ in owing if user.id not in snoozed]
    labels = sorted({o.action.da for _, owed in owing for o in owed})
    labels_en = sorted({o.action.en for _, owed in owing for o in owed})
    why = (f"du kan handle på sagen nu: {', '.join(labels)}", f"you can act on the case now: {', '.join(labels_en)}")
    return named, why


def fire(
    session: Session, row: CaseDeadline, *, now: datetime, hours: Hours, actors: dict[int, Actor] | None = None
) -> tuple[bool, int]:
    """Fire the deadline's due rung (if the ledger has not got it) and move to the next; (fired, notices)."""
    case = session.get(Case, row.case_id)
    assert case is not None and row.id is not None
    workflow = WORKFLOWS[case.case_type]
    spec = next(d for d in workflow.deadlines if d.name == row.name)
    today = now.astimezone(calendar.LOCAL).date()
    rung, following = rungs.due_now(ladder_of(row, spec), row.next_rung, today)
    told, fired = 0, False
    if rung is not None:
        ledger = dict(deadline_id=row.id, rung=rung.name, planned_on=rung.on, fired_at=now)
        fired = insert_new(session, LEDGER, [ledger], ["deadline_id", "rung"]) == 1
    if fired and rung is not None:
        setting = case_setting(
            session, plan_id=case.plan_id, deciding_board_id=case.deciding_board_id, city_is_party=workflow.city_veto
        )
        named, why = recipients(session, row, rung, case, setting, today, {} if actors is None else actors)
        kind = NoticeKind.escalation if rung.escalates else NoticeKind.reminder
        notice = Notice(case.id, kind, spec.name, f"rung:{row.id}:{rung.name}", why, urgent=rung.escalates)
        told = tell(session, notice, named, now=now, hours=hours)
        session.connection().execute(
            update(LEDGER).where(LEDGER.c.deadline_id == row.id, LEDGER.c.rung == rung.name).values(recipients=told)
        )
    session.connection().execute(
        update(CASE_DEADLINES)
        .where(CASE_DEADLINES.c.id == row.id)
        .values(
            next_rung=following.name if following else None,
            next_rung_on=following.on if following else None,
            attempts=0,
            last_error=None,
        )
    )
    return fired, told


def sweep(session: Session, *, now: datetime, hours: Hours, limit: int = 500) -> Swept:
    """Fire every due rung, up to `limit` deadlines (the caller commits)."""
    today = now.astimezone(calendar.LOCAL).date()
    done, actors = Swept(), dict[int, Actor]()
    for row in session.exec(due(today, limit)).all():  # type: ignore[call-overload]
        deadline_id = row.id
        try:
            with session.begin_nested():
                fired, told = fire(session, row, now=now, hours=hours, actors=actors)
            done.fired += fired
            done.notices += told
        except Exception as error:  # one broken deadline must not stop the sweep: counted and kept on the row
            done.failed += 1
            session.connection().execute(
                update(CASE_DEADLINES)
                .where(CASE_DEADLINES.c.id == deadline_id)
                .values(attempts=CASE_DEADLINES.c.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:2000])
            )
    return done
