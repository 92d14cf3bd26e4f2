"""Votes cast at a meeting and the beslutning of each item; both go through the case's own actions, so the case
history stays the one record (the vote names the meeting as its source, the decision's comment holds the beslutning).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from service.authz import Actor
from service.cases import Situation, apply_action, load
from service.cases.visibility import visible
from service.errors import Conflict, Invalid
from service.meetings import access, rounds
from service.meetings.schemas import DecisionRequest, PointDecision, VoteRequest
from service.persistence.db import write_transaction
from service.persistence.meeting_tables import AgendaItem, ItemKind
from service.persistence.tables import Meeting, Organisation
from workflows.calendar import LOCAL
from workflows.spec import Outcome, PointResult

ITEMS = AgendaItem.__table__  # type: ignore[attr-defined]
WORDS = {
    PointResult.approved: "godkendt",
    PointResult.approved_as_changed: "godkendt med ændringer",
    PointResult.noted: "taget til efterretning",
    PointResult.rejected: "ikke godkendt",
}
OUTCOME_DA: dict[Outcome | PointResult, str] = {
    Outcome.rejected: "Afvist.",
    Outcome.returned: "Sendt tilbage til sekretariatet.",
    Outcome.postponed: "Udsat til et senere møde.",
}
# With no points given, every point follows the outcome (returned and postponed items decide no point).
FOLLOWS = {
    Outcome.approved: PointResult.approved,
    Outcome.rejected: PointResult.rejected,
    PointResult.noted: PointResult.noted,
}
AGREEING = (PointResult.approved, PointResult.approved_as_changed)
NOTED = PointResult.noted


def item_of(session: Session, meeting: Meeting, case_id: int) -> AgendaItem:
    """The case's item on the meeting's agenda; 422 when the case is not on it."""
    item = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.case_id == case_id)).first()
    if item is None:
        raise Invalid(
            f"Case {case_id} is not on the agenda of the meeting on {access.when(meeting)}.",
            [{"field": "case_id", "message": "not on this meeting's agenda"}],
            da=f"Sag {case_id} er ikke på dagsordenen til mødet {access.when(meeting)}.",
        )
    if item.decided_at is not None:
        raise Conflict(
            f"The item was decided on {item.decided_at.astimezone(LOCAL):%d.%m.%Y %H:%M}: {item.decision_text}",
            da=f"Punktet blev besluttet {item.decided_at.astimezone(LOCAL):%d.%m.%Y %H:%M}: {item.decision_text}",
        )
    return item


def _opened(session: Session, actor: Actor, meeting_id: int, case_id: int) -> tuple[Meeting, AgendaItem, Situation]:
    access.require_manager(actor)
    meeting = access.get_meeting(session, meeting_id)
    access.check_planned(meeting)
    item = item_of(session, meeting, case_id)
    return meeting, item, load(session, actor, case_id, visible=visible(session, actor))


def record_vote(*, session: Session, actor: Actor, meeting_id: int, case_id: int, body: VoteRequest, now: datetime) -> None:
    """A party organisation's vote cast at the meeting, through the case's vote action with the meeting as source."""
    _, _, here = _opened(session, actor, meeting_id, case_id)
    org = session.get(Organisation, body.organisation_id)
    if org is None or org.code not in here.setting.voters:
        name = org.name if org else f"Organisation {body.organisation_id}"
        raise Invalid(
            f"{name} is not a party to this plan: only {', '.join(sorted(here.setting.voters))} vote on it.",
            [{"field": "organisation_id", "message": "not a party to the plan"}],
            da=f"{name} er ikke part i planen: kun {', '.join(sorted(here.setting.voters))} stemmer om den.",
        )
    vote = here.workflow.vote_action(here.case.state)
    if vote is None:
        raise Conflict(
            f"No votes are collected while the case is '{here.case.state}'.",
            da=f"Der afgives ikke stemmer, mens sagen er '{here.case.state}'.",
            state=here.case.state,
        )
    apply_action(
        session=session,
        actor=actor,
        case_id=case_id,
        action=vote.name,
        expected_version=here.case.version,
        comment=body.comment,
        data={"organisation": org.code, "vote": body.vote, "meeting_id": meeting_id},
        now=now,
    )


def _points(item: AgendaItem, body: DecisionRequest) -> list[PointDecision]:
    """The beslutning per "at" point: as given, or every point following the outcome."""
    if body.points is None:
        result = FOLLOWS.get(body.outcome)
        return [PointDecision(number=n, result=result) for n in range(1, len(item.proposal) + 1)] if result else []
    numbers = [p.number for p in body.points]
    if len(set(numbers)) != len(numbers) or not set(numbers) <= set(range(1, len(item.proposal) + 1)):
        raise Invalid(
            f"Each point must be one of the indstilling's {len(item.proposal)} points, once.",
            [{"field": "points", "message": "unknown or repeated point number"}],
            da=f"Hvert punkt skal være et af indstillingens {len(item.proposal)} punkter, én gang.",
        )
    agreeing = any(p.result in AGREEING for p in body.points)
    if (body.outcome == Outcome.approved) != agreeing and body.outcome in (Outcome.approved, Outcome.rejected):
        raise Invalid(
            f"The points do not fit the outcome '{body.outcome}'.",
            [{"field": "points", "message": "an approval needs an approved point; a rejection none"}],
            da=f"Punkterne passer ikke til udfaldet '{body.outcome}'.",
        )
    return body.points


def decision_text(
    points: list[PointDecision], outcome: Outcome | PointResult, comment: str, votes: dict[str, str], said: str = ""
) -> str:
    """The beslutning as the minutes write it: the outcome, the votes where the parties split, the advisory
    statements (`said`), then the comment."""
    if outcome in FOLLOWS and all(p.result == FOLLOWS[outcome] for p in points) and outcome != Outcome.rejected:
        text = "Godkendt som indstillet." if outcome == Outcome.approved else "Taget til efterretning."
    elif outcome in FOLLOWS:
        text = " ".join(f"At-punkt {p.number}: {WORDS[p.result]}{': ' + p.text if p.text else ''}." for p in points)
    else:
        text = OUTCOME_DA[outcome]
    if len(set(votes.values())) > 1:
        text += " Stemmer: " + ", ".join(f"{org} {vote}" for org, vote in sorted(votes.items())) + "."
    return " ".join(part for part in (text, said, comment) if part).strip()


def _mark(session: Session, meeting: Meeting, item: AgendaItem, actor: Actor, fields: dict[str, Any], now: datetime) -> None:
    """Write the item's decision, once: a second writer finds it decided (409)."""
    # The case's own action has already marked the item decided in this transaction (placing.py); the structured
    # beslutning replaces its plain text. A second decision was refused before (item_of), a concurrent one by the
    # case's version; an information item has no case action, so its own update is the guard.
    unless_decided = ITEMS.c.decided_at.is_(None) if item.kind != ItemKind.decision else ITEMS.c.id == item.id
    written = session.connection().execute(
        update(ITEMS)
        .where(ITEMS.c.id == item.id, unless_decided)
        .values(decided_at=now, decided_by_id=actor.user_id, **fields)
    )
    if written.rowcount != 1:
        raise Conflict(
            "The item was decided at the same moment by someone else.", da="Punktet blev besluttet samtidig af en anden."
        )


def record_decision(
    *, session: Session, actor: Actor, meeting_id: int, case_id: int, body: DecisionRequest, now: datetime
) -> None:
    """The item's beslutning; for a decision item the case's action for the outcome runs through its engine, once."""
    meeting, item, here = _opened(session, actor, meeting_id, case_id)
    if meeting.starts_at > now:
        raise Conflict(
            f"The meeting on {access.when(meeting)} has not started.", da=f"Mødet {access.when(meeting)} er ikke begyndt."
        )
    informing = item.kind != ItemKind.decision
    if informing != (body.outcome == NOTED):
        raise Invalid(
            "An information or discussion item is taken to note ('noted'); a decision item is decided.",
            [{"field": "outcome", "message": "does not fit the item's kind"}],
            da="Et orienterings- eller drøftelsespunkt tages til efterretning ('noted'); et beslutningspunkt besluttes.",
        )
    points = _points(item, body)
    votes = dict(here.round.votes) if here.round.meeting == meeting_id else {}
    events = rounds.round_events(session, here.case, meeting_id=meeting_id)
    said = rounds.statement_text(rounds.statements(session, here.case, events))
    text = decision_text(points, body.outcome, body.comment, votes, said)
    fields = {"outcome": body.outcome, "points": [p.model_dump() for p in points], "decision_text": text}
    if informing:
        write_transaction(session)
        _mark(session, meeting, item, actor, fields, now)
        session.commit()
        return
    action = next((a for a in here.workflow.actions_from(here.case.state) if a.outcome == body.outcome), None)
    if action is None:
        raise Conflict(
            f"'{body.outcome}' cannot be recorded while the case is '{here.case.state}'.",
            da=f"'{body.outcome}' kan ikke registreres, mens sagen er '{here.case.state}'.",
            state=here.case.state,
        )
    day = meeting.starts_at.astimezone(LOCAL)
    apply_action(
        session=session,
        actor=actor,
        case_id=case_id,
        action=action.name,
        expected_version=here.case.version,
        comment=f"Beslutning, mødet {day:%d.%m.%Y}, punkt {item.position}: {text}",
        now=now,
        respond=lambda outcome: _mark(session, meeting, item, actor, fields, now),
    )
