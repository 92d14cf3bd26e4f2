"""Written procedure (skriftlig behandling, domain.md §3 and §6): between meetings the members of the deciding board
vote for their own organisations until the deadline (5 working days), through the case's own vote action.

The round closes by itself, once: in the transaction of the vote that completes it (every party organisation has
voted), or in the deadline sweep once its deadline has passed. The outcome is what the board's decision rule makes
of the votes, applied through the case's action for that outcome, as the secretariat would record it at a meeting
(the same guards decide it). A deadline that passed without every party's vote has no quorum: the stricter reading
applies, the case is not approved but postponed, back to ready for decision and proposed for the next meeting.
"""

import logging
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.authz import SERVICE, Actor
from service.cases import Outcome as Accepted
from service.cases import Situation, apply_action, load, situation, take
from service.cases.visibility import visible
from service.errors import Conflict, Forbidden, NotFound, ServiceError
from service.meetings import decisions, drafting, rounds
from service.meetings.schemas import PointDecision, ProcedurePublic, WrittenStatement, WrittenVote
from service.notify.sweep import MAX_ATTEMPTS
from service.persistence.case_tables import CASE_DEADLINES, Case, CaseDeadline, DeadlineStatus
from service.persistence.db import write_transaction
from service.persistence.meeting_tables import ItemKind
from service.persistence.tables import Board, Plan
from service.register import ref
from workflows import calendar, schemas
from workflows.machine import scope
from workflows.registry import WORKFLOWS
from workflows.spec import Action, Deadline, Outcome, Workflow

log = logging.getLogger(__name__)
CARRIED = (Outcome.approved, Outcome.rejected)  # what votes can carry; anything else goes on to a meeting


def deadline_of(workflow: Workflow) -> Deadline | None:
    """The written-procedure deadline of a case type whose agenda state collects votes (None where it has none)."""
    if workflow.on_agenda is None or not workflow.collects_in(workflow.on_agenda):
        return None
    return next((d for d in workflow.deadlines if d.when and d.starts_in == workflow.on_agenda), None)


VOTING = {key: d.name for key, w in WORKFLOWS.items() if (d := deadline_of(w)) is not None}


def _voting(here: Situation) -> Action:
    """The vote action of a case in written procedure (its round collects votes, or it would not be in one)."""
    vote = here.workflow.vote_action(here.case.state)
    assert vote is not None
    return vote


def _statement_action(workflow: Workflow, state: str) -> Action | None:
    return next(
        (a for a in workflow.actions_from(state) if a.dest is None and a.requires is schemas.Statement),
        None,
    )


def own_organisations(here: Situation) -> frozenset[str]:
    """The party organisations the actor votes for themselves in this round (never those only recorded for)."""
    facts = scope(_voting(here), here.roles, here.facts)
    return (facts.acting_for - facts.recorded_for) & here.setting.voters if facts else frozenset()


def open_deadline(session: Session, case: Case) -> CaseDeadline | None:
    """The case's open written-procedure deadline: None unless its round is by written procedure now."""
    name = VOTING.get(case.case_type)
    if name is None or case.state != WORKFLOWS[case.case_type].on_agenda:
        return None
    return session.exec(
        select(CaseDeadline).where(
            CaseDeadline.case_id == case.id, CaseDeadline.name == name, CaseDeadline.status == DeadlineStatus.open
        )
    ).first()


def _today(now: datetime) -> date:
    return now.astimezone(calendar.LOCAL).date()


def in_procedure(session: Session, case_ids: list[int]) -> set[int]:
    """Of these cases, those whose round is by written procedure now."""
    rows = session.exec(
        select(Case.id, Case.case_type, Case.state)
        .join(CaseDeadline, col(CaseDeadline.case_id) == col(Case.id))
        .where(
            col(Case.id).in_(case_ids),
            col(CaseDeadline.name).in_(set(VOTING.values())),
            CaseDeadline.status == DeadlineStatus.open,
        )
    ).all()
    return {cid for cid, kind, state in rows if cid is not None and kind in VOTING and state == WORKFLOWS[kind].on_agenda}


def describe(session: Session, actor: Actor, case: Case, deadline: CaseDeadline, now: datetime) -> ProcedurePublic:
    """A case in written procedure as a member reads it: the indstilling and sagsfremstilling, the deadline, who has
    voted and said what, and what the reader may still do."""
    here = situation(session, case, actor)
    board = session.get(Board, case.deciding_board_id)
    plan = session.get(Plan, case.plan_id) if case.plan_id else None
    assert board is not None and case.id is not None
    events = rounds.round_events(session, case)
    own = own_organisations(here)
    statement = _statement_action(here.workflow, case.state)
    city = case.deciding_board_id in actor.city_seats  # the page offers statements to City members (domain.md §3)
    may_state = statement is not None and city and any(o.allowed for o in here.options() if o.action == statement)
    lapsed = _today(now) > deadline.due_on
    return ProcedurePublic(
        case_id=case.id,
        reference=case.reference,
        title=case.title,
        case_type=case.case_type,
        version=case.version,
        board=ref(board),
        plan=ref(plan) if plan else None,
        due_on=deadline.due_on,
        lapsed=lapsed,
        voters=sorted(here.setting.voters),
        ballots=rounds.ballots(case, events),
        statements=rounds.statements(session, case, events),
        proposal=drafting.proposal(case, board, ItemKind.decision),
        presentation=drafting.presentation(case),
        economy=drafting.economy(session, case),
        represents=sorted(own),
        may_vote_for=[] if lapsed else sorted(own - set(here.round.votes)),
        may_state=may_state and not lapsed,
    )


def procedures(session: Session, actor: Actor, now: datetime) -> list[ProcedurePublic]:
    """The cases in written procedure on the actor's boards (every board for the secretariat), soonest deadline first."""
    rows = session.exec(
        select(Case, CaseDeadline)
        .join(CaseDeadline, col(CaseDeadline.case_id) == col(Case.id))
        .where(
            visible(session, actor),
            col(Case.is_open),
            col(Case.case_type).in_(list(VOTING)),
            col(CaseDeadline.name).in_(set(VOTING.values())),
            CaseDeadline.status == DeadlineStatus.open,
        )
        .order_by(col(CaseDeadline.due_on), col(Case.id))
    ).all()
    return [
        describe(session, actor, case, deadline, now)
        for case, deadline in rows
        if case.state == WORKFLOWS[case.case_type].on_agenda
        and (actor.is_secretariat or case.deciding_board_id in actor.seats)
    ]


def _opened(session: Session, actor: Actor, case_id: int, now: datetime) -> tuple[Situation, CaseDeadline]:
    """The case in written procedure, still open for replies; 404 when unseen, 409 when closed or past its deadline."""
    here = load(session, actor, case_id, visible=visible(session, actor))
    deadline = open_deadline(session, here.case)
    if deadline is None:
        state = here.workflow.state(here.case.state)
        raise Conflict(
            f"Case {here.case.reference} is not in written procedure: the round has closed, or never was one "
            f"(the case is '{state.en}').",
            da=f"Sag {here.case.reference} er ikke i skriftlig behandling: runden er afsluttet eller har aldrig været "
            f"det (sagen er »{state.da}«).",
            state=here.case.state,
        )
    if _today(now) > deadline.due_on:
        raise Conflict(
            f"The written procedure's deadline passed on {deadline.due_on:%d.%m.%Y}: no more replies are taken, and "
            "the round is being closed.",
            da=f"Fristen for den skriftlige behandling udløb {deadline.due_on:%d.%m.%Y}: der modtages ikke flere svar, "
            "og runden afsluttes.",
            state=here.case.state,
        )
    return here, deadline


def cast_vote(*, session: Session, actor: Actor, case_id: int, body: WrittenVote, now: datetime) -> Outcome | None:
    """The member's vote for their organisation, once; the outcome when this vote completed the round."""
    here, deadline = _opened(session, actor, case_id, now)
    own = own_organisations(here)
    parties = ", ".join(sorted(here.setting.voters))
    if body.organisation not in own:
        if not own:
            raise Forbidden(
                f"You may not vote here: you represent none of the plan's party organisations ({parties}) on its board.",
                da=f"Du kan ikke stemme her: du repræsenterer ingen af planens parter ({parties}) i bestyrelsen.",
            )
        mine = ", ".join(sorted(own))
        raise Forbidden(
            f"You may not vote for {body.organisation}: you vote for {mine} here.",
            da=f"Du kan ikke stemme for {body.organisation}: du stemmer for {mine} her.",
        )
    cast = here.round.votes.get(body.organisation)
    if cast is not None:
        said = schemas.VOTES[cast]
        raise Conflict(
            f"{body.organisation} has already voted in this written procedure ({said[1]}): an organisation votes once.",
            da=f"{body.organisation} har allerede stemt i denne skriftlige behandling ({said[0]}): en organisation "
            "stemmer én gang.",
            state=here.case.state,
        )

    def close_if_complete(accepted: Accepted) -> Outcome | None:
        after = accepted.situation
        if not after.setting.voters <= after.round.votes.keys():
            return None
        return decide(session, accepted.case, deadline, now)

    vote = _voting(here)
    decided: Outcome | None = apply_action(
        session=session,
        actor=actor,
        case_id=case_id,
        action=vote.name,
        expected_version=here.case.version,
        comment=body.comment,
        data={"organisation": body.organisation, "vote": body.vote},
        now=now,
        respond=close_if_complete,
    )
    return decided


def give_statement(*, session: Session, actor: Actor, case_id: int, body: WrittenStatement, now: datetime) -> None:
    """An advisory statement beside the votes (City members), through the case's statement action."""
    here, _ = _opened(session, actor, case_id, now)
    statement = _statement_action(here.workflow, here.case.state)
    if statement is None:
        raise NotFound("This case type takes no statements.", da="Denne sagstype modtager ikke udtalelser.")
    apply_action(
        session=session,
        actor=actor,
        case_id=case_id,
        action=statement.name,
        expected_version=here.case.version,
        data={"text": body.text},
        now=now,
    )


def _why(here: Situation, carried: Outcome) -> str:
    """Why a round went on to a meeting instead of being decided."""
    if carried in CARRIED:
        return ""
    missing = sorted(here.setting.voters - here.round.votes.keys())
    if missing:
        return (
            f"Fristen udløb, uden at alle parter havde stemt (mangler: {', '.join(missing)}). Uden stemmer fra alle "
            "parter er sagen ikke godkendt; den behandles på et møde."
        )
    return (
        "Stemmerne bærer hverken en godkendelse eller et afslag efter bestyrelsens beslutningsregel; sagen behandles "
        "på et møde."
    )


def decide(session: Session, case: Case, deadline: CaseDeadline, now: datetime) -> Outcome | None:
    """Apply the round's outcome through the case's action for it, in the caller's transaction; None when the case
    type has no action to apply (the secretariat decides it then)."""
    here = situation(session, case, SERVICE)
    allowed = {o.action.outcome: o.action for o in here.options() if o.allowed and o.action.outcome}
    carried = next((o for o in CARRIED if o in allowed), Outcome.postponed)
    if carried not in allowed:
        return None
    board = session.get(Board, case.deciding_board_id)
    assert board is not None and case.id is not None
    points = len(drafting.proposal(case, board, ItemKind.decision))
    follows = decisions.FOLLOWS.get(carried)
    decided = [PointDecision(number=n, result=follows) for n in range(1, points + 1)] if follows else []
    said = rounds.statement_text(rounds.statements(session, case, rounds.round_events(session, case)))
    votes = dict(here.round.votes)
    heading = f"Beslutning ved skriftlig behandling (svarfrist {deadline.due_on:%d.%m.%Y}):"
    text = decisions.decision_text(decided, carried, _why(here, carried), votes, said)
    try:
        with session.begin_nested():
            take(session, SERVICE, case.id, allowed[carried].name, case.version, comment=f"{heading} {text}", now=now)
        return carried
    except ServiceError as refusal:  # e.g. an approval whose money is no longer there
        if Outcome.postponed not in allowed or carried == Outcome.postponed:
            raise
        why = f"Udfaldet af stemmerne kunne ikke gennemføres: {refusal.detail_da or refusal.detail}"
        text = decisions.decision_text([], Outcome.postponed, why, votes, said)
        take(session, SERVICE, case.id, allowed[Outcome.postponed].name, case.version, comment=f"{heading} {text}", now=now)
        return Outcome.postponed


def _lapsed(today: date, tried: set[int]) -> object:
    """The oldest open written-procedure deadline that has passed, locked (skipped if another worker holds it)."""
    return (
        select(CaseDeadline)
        .where(
            CaseDeadline.status == DeadlineStatus.open,
            col(CaseDeadline.name).in_(set(VOTING.values())),
            col(CaseDeadline.case_id).in_(select(Case.id).where(col(Case.case_type).in_(list(VOTING)))),
            col(CaseDeadline.due_on) < today,
            col(CaseDeadline.paused_since).is_(None),
            CaseDeadline.attempts < MAX_ATTEMPTS,
            col(CaseDeadline.id).not_in(tried),
        )
        .order_by(col(CaseDeadline.due_on), col(CaseDeadline.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def close_lapsed(engine: Engine, now: datetime, *, limit: int = 200) -> int:
    """Close every written procedure whose deadline has passed, each in its own transaction holding its deadline
    row; how many were closed. Safe in several workers at once and when run again: a closed round's deadline is
    no longer open, a locked one is skipped, and the case's version lets only one writer apply the outcome."""
    today, tried, closed = _today(now), set[int](), 0
    while len(tried) < limit:
        with Session(engine) as session:
            write_transaction(session)
            row = session.exec(_lapsed(today, tried)).first()  # type: ignore[call-overload]
            if row is None:
                return closed
            deadline_id, case_id = row.id, row.case_id
            tried.add(deadline_id)
            try:
                case = session.get(Case, case_id)
                assert case is not None
                closed += decide(session, case, row, now) is not None
                session.commit()
            except Exception as error:  # one broken case must not stop the others: counted and kept on the row
                session.rollback()
                log.warning("closing the written procedure of case %s failed: %s", case_id, error)
                write_transaction(session)
                session.connection().execute(
                    update(CASE_DEADLINES)
                    .where(CASE_DEADLINES.c.id == deadline_id)
                    .values(attempts=CASE_DEADLINES.c.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:2000])
                )
                session.commit()
    return closed
