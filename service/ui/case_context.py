"""What the case page shows beyond the case itself: which actions end the case, how far a vote has come, who is who
in the history, and what the default LBF rule gives for this case."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from service.authz import Actor
from service.cases.situation import Situation
from service.cases.visibility import content_filter
from service.persistence.case_tables import Case, CaseComment, CaseDocument
from service.persistence.tables import ActivityArea, User
from workflows import guards
from workflows.machine import Assessment
from workflows.spec import Action, Collect, LbfPolicy, Workflow


@dataclass(frozen=True)
class RoundView:
    """A vote or consent round as the user sees it: how many parties have given theirs, and whether the user has."""

    counted: int  # parties that have voted (or consented)
    parties: int
    mine_done: bool  # the user's organisations have all given theirs
    mine: tuple[str, ...]  # the user's organisations in the round


def round_view(here: Situation, options: list[Assessment]) -> RoundView | None:
    """The round of the case's state, if organisations vote or consent in it."""
    collecting = [o for o in options if o.action.collects is not None]
    if not collecting:
        return None
    facts = here.facts
    given = set(facts.votes) if collecting[0].action.collects == Collect.vote else set(facts.consents)
    voters = facts.voters | facts.veto
    mine = tuple(sorted(o for opt in collecting if opt.allowed and opt.facts for o in opt.facts.acting_for & voters))
    return RoundView(len(given & voters), len(voters), bool(mine) and set(mine) <= given, mine)


def irreversible(workflow: Workflow, action: Action) -> bool:
    """Ends the case (withdraw, reject, close): the page asks for a confirmation and shows it as destructive."""
    return action.abandons or (action.dest is not None and action.dest in workflow.final_states)


def hidden_actions(options: list[Assessment], view: RoundView | None) -> set[str]:
    """Dropping the case is not offered beside a board member's vote, cast or not."""
    if view is None or not view.mine:
        return set()
    return {o.action.name for o in options if o.action.abandons}


def full_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """Each username in the history by the person's full name."""
    rows = session.exec(select(User.username, User.full_name).where(col(User.username).in_(usernames))).all()
    return dict(rows)


def default_lbf_rule(here: Situation) -> bool | None:
    """Whether the default rule sends this case to LBF (None where the case type has no such rule)."""
    if here.workflow.lbf != LbfPolicy.by_default_rule:
        return None
    return guards.lbf_needed_by_default(here.case.data, material=False)


def areas(session: Session) -> list[Any]:
    return list(session.exec(select(ActivityArea).order_by(col(ActivityArea.code))))


def area_names(session: Session, lang: str) -> dict[str, str]:
    return {a.code: a.name_da if lang == "da" else a.name_en for a in areas(session)}


def thread(session: Session, actor: Actor, case: Case) -> dict[str, list[tuple[object, str]]]:
    """The comments and documents the actor may read, oldest first, each with its author's full name."""
    found: dict[str, list[tuple[object, str]]] = {}
    for key, table, author in (
        ("comments", CaseComment, CaseComment.author_id),
        ("documents", CaseDocument, CaseDocument.uploaded_by_id),
    ):
        shown = content_filter(session, actor, case, col(table.visibility))
        rows = session.exec(
            select(table, User.full_name)
            .join(User, col(User.id) == col(author))
            .where(table.case_id == case.id, shown)
            .order_by(col(table.id))
        ).all()
        found[key] = [(row, name) for row, name in rows]
    return found
