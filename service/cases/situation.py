"""The situation of one case for one actor: the case, its type, the register around it and the current round.

Guards, refusals, the allowed actions and the response all read this one value.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from service.authz import CITY, Actor, CaseSetting, case_setting, roles_for
from service.persistence.case_tables import Case, CaseEvent
from workflows.registry import WORKFLOWS
from workflows.schemas import Vote
from workflows.spec import Collect, Facts, Role, Workflow

ROUND_RULE = "round_rule"  # stored in the data of the event that starts a decision round


@dataclass(frozen=True)
class Situation:
    """A case with its workflow, register setting and the actor's roles on it."""

    case: Case
    workflow: Workflow
    setting: CaseSetting
    roles: dict[Role, frozenset[str]]
    facts: Facts


def situation(session: Session, case: Case, actor: Actor, action_data: dict[str, Any] | None = None) -> Situation:
    workflow = WORKFLOWS[case.case_type]
    setting = case_setting(
        session, plan_id=case.plan_id, deciding_board_id=case.deciding_board_id, city_is_party=workflow.city_veto
    )
    votes, consents, rule, meeting = _round(session, case, workflow)
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
        round_meeting=meeting,
    )
    return Situation(case, workflow, setting, roles_for(actor, setting), facts)


def _round(
    session: Session, case: Case, workflow: Workflow
) -> tuple[dict[str, str], frozenset[str], str | None, int | None]:
    """Votes, consents, decision rule and meeting of the round that began when the case last entered its state.

    The rule is the one stored when the round began (domain.md §3.1): a charter that comes into force during
    the round does not change how its votes are counted.
    """
    if not workflow.collects_in(case.state):
        return {}, frozenset(), None, None
    rows = session.exec(
        select(CaseEvent.action, CaseEvent.from_state, CaseEvent.to_state, CaseEvent.data)
        .where(CaseEvent.case_id == case.id)
        .order_by(col(CaseEvent.seq))
    )
    votes: dict[str, str] = {}
    consents: set[str] = set()
    rule: str | None = None
    meeting: int | None = None
    for action, from_state, to_state, data in rows:
        spec = workflow.action(action)
        if to_state == case.state and from_state != to_state:  # a new round begins each time
            votes, consents, rule, meeting = {}, set(), data.get(ROUND_RULE), data.get("meeting_id")
        elif spec is not None and spec.collects == Collect.vote:
            vote = Vote.model_validate(data)
            votes[vote.organisation] = vote.vote
        elif spec is not None and spec.collects == Collect.consent:
            consents.add(data["organisation"])
    return votes, frozenset(consents), rule, meeting
