"""The vocabulary a case type is declared in: states, actions, deadlines, and who may act.

A case type is one `Workflow` value in one module under `workflows/case_types/`. Everything else (the
transitions machine, the allowed actions, the diagram, the deadline rows, the README tables) is derived.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel


class Role(StrEnum):
    """How an actor relates to a case; derived from the register, never a global flag alone."""

    secretariat = "secretariat"  # employed by the secretariat: administers every case
    project_leader = "project_leader"  # assigned to the case's plan
    party_org = "party_org"  # acts for a housing organisation that is a party to the plan's grant
    deciding_party_member = "deciding_party_member"  # seat on the deciding board for a party organisation
    city_member = "city_member"  # seat on the deciding board for a City administration
    central_member = "central_member"  # seat on the central board
    local_group_member = "local_group_member"  # seat in the plan's local steering group
    admin = "admin"


# Roles that record what others decided (votes cast at a meeting, letters received), never deciding themselves.
RECORDERS = frozenset({Role.secretariat})

ROLE_DA = {
    Role.secretariat: "sekretariatet",
    Role.project_leader: "projektlederen",
    Role.party_org: "en part i bevillingen",
    Role.deciding_party_member: "et medlem for en part",
    Role.city_member: "et kommunalt medlem",
    Role.central_member: "et medlem af Boligsocial Bestyrelse",
    Role.local_group_member: "et medlem af den lokale gruppe",
    Role.admin: "en administrator",
}


class Wait(StrEnum):
    """What a case in this state is waiting for; the dashboards split lead time by it."""

    work = "work"  # the secretariat or the applicant has to act
    meeting = "meeting"  # a board has to meet and decide
    lbf = "lbf"  # Landsbyggefonden has to answer
    parties = "parties"  # housing organisations or a local group have to answer
    done = "done"  # final


class LbfPolicy(StrEnum):
    """Whether a case needs Landsbyggefonden's approval (domain.md §4, §3.1)."""

    always = "always"  # every case of the type goes to LBF (strategic agreements, charters)
    by_default_rule = "by_default_rule"  # money between areas, total or LBF share changed, or material; may be tightened
    never = "never"


class GrantWindow(StrEnum):
    """While a plan's grant allows a case of the type to be opened (domain.md §3.1 "Cases need a live grant")."""

    any_time = "any_time"
    running = "running"  # only while the grant period runs
    until_final_report = "until_final_report"  # from the grant's start until the plan's final report is accepted


class Decider(StrEnum):
    """Which board decides a case: the plan's board (its district board, or the central board after a transfer)."""

    plan_board = "plan_board"
    central_board = "central_board"


class Effect(StrEnum):
    """What an accepted action (or an opening) does beyond the case row; the service implements each one."""

    update_data = "update_data"  # the action's input replaces fields of the case's data (editing a draft)
    screen = "screen"  # fix the deciding body and whether LBF must approve
    check_budget_moves = "check_budget_moves"  # the moves are feasible and inside the grant (refuses otherwise)
    note_lbf_approval = "note_lbf_approval"  # LBF's approval is recorded in the data (clears the LBF step)
    information_item = "information_item"  # an information item for the central board's next meeting
    apply_budget_moves = "apply_budget_moves"
    new_agreement_version = "new_agreement_version"
    new_charter_version = "new_charter_version"
    transfer_competence = "transfer_competence"
    note_agreement_version = "note_agreement_version"  # at opening: the agreement version a change amends


class Audience(StrEnum):
    """Who a notification goes to; resolved to people from the register when it is delivered."""

    applicant = "applicant"  # whoever opened the case
    parties = "parties"  # people designated for the plan's party organisations
    secretariat = "secretariat"
    local_group = "local_group"
    deciding_board = "deciding_board"
    central_board = "central_board"
    project_leaders = "project_leaders"


class Collect(StrEnum):
    """What an action that keeps the state collects from an organisation in the current round."""

    vote = "vote"
    consent = "consent"


class Outcome(StrEnum):
    """The decision of a meeting's agenda item that an action records (the meeting pages offer these)."""

    approved = "approved"
    rejected = "rejected"
    returned = "returned"
    postponed = "postponed"


class PointResult(StrEnum):
    """The beslutning on one "at" point of an agenda item's indstilling."""

    approved = "approved"
    approved_as_changed = "approved_as_changed"
    noted = "noted"  # taken to note (information and discussion items)
    rejected = "rejected"


class DeadlineKind(StrEnum):
    service_target = "service_target"
    meeting_cutoff = "meeting_cutoff"
    external_body = "external_body"
    statutory = "statutory"


@dataclass(frozen=True)
class Facts:
    """What guards may look at: the case's data, the action's input and the register facts around it."""

    state: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    action_data: Mapping[str, Any] = field(default_factory=dict)
    voters: frozenset[str] = frozenset()  # organisations whose votes count (plan parties, plus KK where a party)
    votes: Mapping[str, str] = field(default_factory=dict)  # this decision round: organisation -> vote
    decision_rule: str = "unanimity"
    consents: frozenset[str] = frozenset()
    acting_for: frozenset[str] = frozenset()  # organisations the actor may act or vote for here
    # Of `acting_for`, those the actor may only record for others (the secretariat): such a record needs a source.
    recorded_for: frozenset[str] = frozenset()
    veto: frozenset[str] = frozenset()  # organisations whose approval is required besides the parties' rule (the City)
    competence: str = ""  # the plan's deciding competence now: "district" or "central"
    grant_running: bool = True  # today lies inside the plan's grant period
    grant_started: bool = True
    final_report_accepted: bool = False
    others_open: tuple[str, ...] = ()  # references of other open cases of the same type on the same plan
    round_meeting: int | None = None  # the meeting whose agenda the current round is on (None: written procedure)


@dataclass(frozen=True)
class Guard:
    """A pure predicate on the facts, with the plain-language reason given when it fails."""

    name: str
    check: Callable[[Facts], bool]
    reason: str
    reason_da: str = ""
    status: int = 409  # 409: not now (the case's situation); 403: not you; 422: the data is wrong
    field: str | None = None  # the input field a 422 names
    # For guards on the action's input: could some input pass? Used to list allowed actions before input is given.
    possible: Callable[[Facts], bool] | None = None

    def __call__(self, facts: Facts) -> bool:
        if self.possible is not None and not facts.action_data:
            return self.possible(facts)
        return self.check(facts)


@dataclass(frozen=True)
class Deadline:
    """A due date that opens when the case enters `starts_in` and stays open while it is in `during`."""

    name: str
    starts_in: str
    during: tuple[str, ...]
    kind: DeadlineKind
    working_days: int | None = None
    calendar_days: int | None = None
    due_from_data: str | None = None  # a date field of the case's data, e.g. an LBF report's due date
    # Calendar days after the start when the first escalation goes out; None: ESCALATE_WORKING_DAYS after due.
    escalate_after_days: int | None = None
    # Reminder rungs, in calendar days before the due date (0: on the day), to the people who must act.
    remind_before: tuple[int, ...] = (7, 0)
    # Opens only when the entering action's input has this flag set (e.g. "written_procedure" on scheduling).
    when: str | None = None
    da: str = ""
    en: str = ""


@dataclass(frozen=True)
class Yearly:
    """A case the service opens each year, for every plan whose grant ran in the year before: `data` names what
    (e.g. the report), the period is that year, and it is due on `due` (month, day) of the year after it."""

    data: Mapping[str, Any]
    due: tuple[int, int]
    da: str
    en: str


@dataclass(frozen=True)
class State:
    name: str
    da: str
    en: str
    wait: Wait = Wait.work
    final: bool = False


@dataclass(frozen=True)
class Action:
    """A transition (or, with `dest=None`, an act that keeps the state, such as a vote)."""

    name: str
    source: tuple[str, ...]
    dest: str | None
    who: tuple[Role, ...]
    da: str
    en: str
    guards: tuple[Guard, ...] = ()
    requires: type[BaseModel] | None = None  # the shape of the action's `data`
    notifies: tuple[Audience, ...] = ()  # resolved to people when the notification is delivered
    effects: tuple[Effect, ...] = ()  # applied by the service in the same transaction
    collects: Collect | None = None  # a vote or consent counted in the round (the state stays)
    postpones: bool = False  # takes the case off a meeting's agenda, back to waiting for one
    # The organisation's own act (a vote, a consent, an approval): recorded by the secretariat only with a source.
    on_behalf: bool = False
    abandons: bool = False  # the case is dropped here: open deadlines end as cancelled, not met
    # A contribution or discretionary move nobody waits for (a statement, sending back, postponing): reminders
    # never ask for it.
    optional: bool = False
    outcome: Outcome | None = None  # the agenda item's decision this action records at a meeting


@dataclass(frozen=True)
class Workflow:
    key: str
    da: str
    en: str
    subject: str  # "plan" or "board": what a case of this type concerns
    states: tuple[State, ...]
    actions: tuple[Action, ...]
    initial: str
    deadlines: tuple[Deadline, ...] = ()
    creators: tuple[Role, ...] = ()
    data_schema: type[BaseModel] | None = None  # the shape of the case's `data` when opened
    decided_in: tuple[str, ...] = ()  # states after the decision: open cases before them move with competence
    decider: Decider = Decider.plan_board
    lbf: LbfPolicy = LbfPolicy.never
    grant_window: GrantWindow = GrantWindow.any_time
    open_guards: tuple[Guard, ...] = ()  # checked when a case is opened, on the facts of its plan
    open_effects: tuple[Effect, ...] = ()  # effects that shape the case's data when it is opened
    city_veto: bool = False  # the City (KK) votes too and must approve (§3.1)
    # States where an approved economic change's moves are promised but not yet applied to the budget.
    budget_committed_in: tuple[str, ...] = ()
    # (data flag, state): a case of this type with the flag set that reached the state is the plan's final report.
    final_report_when: tuple[str, str] | None = None
    yearly: tuple[Yearly, ...] = ()  # opened by the service once a year per plan (service.notify.reports)
    on_agenda: str | None = None  # the state of a case on a meeting's agenda (or in written procedure)
    local_group_sees: tuple[str, ...] = ()  # states in which the plan's local group may see the case

    def state(self, name: str) -> State:
        return next(s for s in self.states if s.name == name)

    def action(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)

    def actions_from(self, state: str) -> list[Action]:
        return [a for a in self.actions if state in a.source]

    def vote_action(self, state: str) -> "Action | None":
        """The action organisations vote with in `state` (None: no votes are collected there)."""
        return next((a for a in self.actions_from(state) if a.collects == Collect.vote), None)

    def collects_in(self, state: str) -> bool:
        """True where organisations vote or consent: entering such a state starts a new round."""
        return any(a.collects for a in self.actions_from(state))

    @property
    def final_states(self) -> frozenset[str]:
        return frozenset(s.name for s in self.states if s.final)
