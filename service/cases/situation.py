"""The situation of one case for one actor: the case, its type, the register around it and the current round.

It is built once per request (`load`). Guards, refusals, the allowed actions and the response all read this one
value, and after an accepted action `after` derives the next situation from what was written, without reading
the database again.
"""

from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session

from service.authz import CITY, Actor, CaseSetting, case_setting, roles_for
from service.cases import statements
from service.errors import NotFound
from service.persistence.case_tables import Case
from workflows.machine import Assessment, assess
from workflows.registry import WORKFLOWS
from workflows.schemas import Vote
from workflows.spec import Action, Collect, Facts, Role, Workflow

ROUND_RULE = "round_rule"  # stored in the data of the event that starts a decision round


@dataclass(frozen=True)
class Round:
    """Votes and consents since the case entered its state, with the rule and meeting fixed when it began.

    The rule is the one in force when the round began (domain.md §3.1): a charter that comes into force during
    the round does not change how its votes are counted.
    """

    votes: dict[str, str] = field(default_factory=dict)
    consents: frozenset[str] = frozenset()
    rule: str | None = None
    meeting: int | None = None

    def after(self, collects: Collect | None, data: dict[str, Any], *, entered: bool) -> "Round":
        """The round once an event (with its `data`) happened; entering a state starts a new one."""
        if entered:
            return Round(rule=data.get(ROUND_RULE), meeting=data.get("meeting_id"))
        if collects == Collect.vote:
            vote = Vote.model_validate(data)
            return replace(self, votes={**self.votes, vote.organisation: vote.vote})
        if collects == Collect.consent:
            return replace(self, consents=self.consents | {data["organisation"]})
        return self


def read_round(session: Session, case: Case, workflow: Workflow) -> Round:
    """The current round, replayed from the case's history (only where the state collects votes or consents)."""
    current = Round()
    if not workflow.collects_in(case.state):
        return current
    for name, from_state, to_state, data in session.connection().execute(statements.ROUND_EVENTS, {"case_id": case.id}):
        action = workflow.action(name)  # None for events no action declares (opening, moves with competence)
        entered = to_state == case.state and from_state != to_state
        current = current.after(action.collects if action else None, data, entered=entered)
    return current


@dataclass(frozen=True)
class Situation:
    """A case with its workflow, register setting, the actor's roles on it and the current round."""

    case: Case
    workflow: Workflow
    setting: CaseSetting
    roles: dict[Role, frozenset[str]]
    round: Round

    @property
    def facts(self) -> Facts:
        """What the guards see (before any input)."""
        return self.with_input({})

    def with_input(self, action_data: dict[str, Any]) -> Facts:
        return Facts(
            state=self.case.state,
            data=self.case.data,
            action_data=action_data,
            voters=self.setting.voters,
            votes=self.round.votes,
            decision_rule=self.round.rule or self.setting.decision_rule,
            consents=self.round.consents,
            veto=frozenset({CITY}) if self.workflow.city_veto else frozenset(),
            competence=self.setting.competence,
            round_meeting=self.round.meeting,
        )

    def options(self) -> list[Assessment]:
        """Every action from the case's state, with whether this actor may take it now and why not."""
        return assess(self.workflow, self.case.state, self.roles, self.facts)


def situation(session: Session, case: Case, actor: Actor) -> Situation:
    """The situation of a case already loaded."""
    workflow = WORKFLOWS[case.case_type]
    setting = case_setting(
        session, plan_id=case.plan_id, deciding_board_id=case.deciding_board_id, city_is_party=workflow.city_veto
    )
    return Situation(case, workflow, setting, roles_for(actor, setting), read_round(session, case, workflow))


def load(session: Session, actor: Actor, case_id: int, *, visible: Any) -> Situation:
    """The case, if the actor may see it (`visible` is the visibility clause), with its situation; 404 otherwise."""
    row = session.connection().execute(statements.LOAD_CASE.where(visible), {"case_id": case_id}).first()
    if row is None:
        raise NotFound(
            f"There is no case with id {case_id} that you can see.", da=f"Der er ingen sag med id {case_id}, som du kan se."
        )
    return situation(session, Case(**row._mapping), actor)


def after(
    session: Session, here: Situation, actor: Actor, action: Action, case: Case, event_data: dict[str, Any]
) -> Situation:
    """The situation after an accepted action, from what it wrote (the register is read again only when the
    case moved to another deciding board)."""
    setting = here.setting
    if case.deciding_board_id != here.case.deciding_board_id:
        setting = case_setting(
            session, plan_id=case.plan_id, deciding_board_id=case.deciding_board_id, city_is_party=here.workflow.city_veto
        )
    entered = case.state != here.case.state
    next_round = here.round.after(action.collects, event_data, entered=entered)
    return Situation(case, here.workflow, setting, roles_for(actor, setting), next_round)
