"""Who hears of a case: the people an event's audience names, the people who must act now, and the escalation.

Audiences and the people who must act are resolved when the notice is made, from the register on that day.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from service.authz import Actor, CaseSetting, current, load_actor, roles_for
from service.cases.situation import Situation, read_round
from service.persistence.case_tables import Case
from service.persistence.tables import (
    Board,
    BoardKind,
    Designation,
    Membership,
    Organisation,
    OrganisationKind,
    PlanAssignment,
    Seat,
    User,
)
from workflows.machine import Assessment
from workflows.registry import WORKFLOWS
from workflows.spec import Audience, Collect, Role

Query = Callable[[Case, CaseSetting, date], Any]


def _seated(today: date, *board_ids: int | None) -> Any:
    return select(col(Membership.user_id)).where(col(Membership.board_id).in_(board_ids), current(Membership, today))


def _designated(today: date, codes: frozenset[str]) -> Any:
    orgs = select(col(Organisation.id)).where(col(Organisation.code).in_(codes))
    return select(col(Designation.user_id)).where(col(Designation.organisation_id).in_(orgs), current(Designation, today))


def _party_people(today: date, codes: frozenset[str]) -> Any:
    """People designated for the party organisations, or representing them on a governing board (domain.md §3.1)."""
    orgs = select(col(Organisation.id)).where(col(Organisation.code).in_(codes))
    seated = (
        select(col(Membership.user_id))
        .join(Board, col(Board.id) == col(Membership.board_id))
        .where(col(Membership.organisation_id).in_(orgs), Board.kind != BoardKind.local, current(Membership, today))
    )
    return _designated(today, codes).union(seated)


AUDIENCES: dict[Audience, Query] = {
    Audience.secretariat: lambda case, setting, today: (
        select(col(User.id))
        .join(Organisation, col(Organisation.id) == col(User.organisation_id))
        .where(Organisation.kind == OrganisationKind.secretariat)
    ),
    Audience.applicant: lambda case, setting, today: select(col(User.id)).where(User.id == case.created_by_id),
    Audience.deciding_board: lambda case, setting, today: _seated(today, setting.deciding_board_id),
    Audience.central_board: lambda case, setting, today: _seated(today, setting.central_board_id),
    Audience.local_group: lambda case, setting, today: _seated(today, *setting.local_board_ids),
    Audience.parties: lambda case, setting, today: _party_people(today, setting.parties),
    Audience.project_leaders: lambda case, setting, today: select(col(PlanAssignment.user_id)).where(
        PlanAssignment.plan_id == case.plan_id, current(PlanAssignment, today)
    ),
}

# Why a person hears of an event, by the audience that named them: (Danish, English), after "you get this because".
REASONS: dict[Audience, tuple[str, str]] = {
    Audience.secretariat: ("du arbejder i sekretariatet", "you work in the secretariat"),
    Audience.applicant: ("du oprettede sagen", "you opened the case"),
    Audience.deciding_board: ("du sidder i bestyrelsen, der beslutter sagen", "you sit on the board that decides it"),
    Audience.central_board: ("du sidder i Boligsocial Bestyrelse", "you sit on the central board"),
    Audience.local_group: ("du sidder i planens lokale styregruppe", "you sit on the plan's local steering group"),
    Audience.parties: ("du handler for en part i planens bevilling", "you act for a party to the plan's grant"),
    Audience.project_leaders: ("du er projektleder for planen", "you are the plan's project leader"),
}

# The audiences that can hold someone with each role: where to look for the people who must act.
ROLE_AUDIENCES: dict[Role, Audience] = {
    Role.secretariat: Audience.secretariat,
    Role.project_leader: Audience.project_leaders,
    Role.party_org: Audience.parties,
    Role.deciding_party_member: Audience.deciding_board,
    Role.city_member: Audience.deciding_board,
    Role.central_member: Audience.central_board,
    Role.local_group_member: Audience.local_group,
}


def active(session: Session, query: Any) -> list[User]:
    """The active users among the ids `query` selects."""
    return list(session.exec(select(User).where(col(User.is_active), col(User.id).in_(query)).order_by(col(User.id))))


def audience(session: Session, name: Audience, case: Case, setting: CaseSetting, today: date) -> list[User]:
    return active(session, AUDIENCES[name](case, setting, today))


def owes(option: Assessment, round_: Any) -> bool:
    """Whether an allowed action is something the actor still has to do, not only may do.

    Withdrawing and optional moves (statements, sending back) are never owed; recording a vote for others (the
    secretariat) is not a reminder's business; a vote or consent is owed only for organisations that have not
    given theirs in this round.
    """
    action, facts = option.action, option.facts
    if action.abandons or action.optional or facts is None:
        return False
    own = facts.acting_for - facts.recorded_for
    if action.on_behalf and not own:
        return False
    if action.collects == Collect.vote:
        return bool((own & facts.voters) - round_.votes.keys())
    if action.collects == Collect.consent:
        return bool((own & facts.voters) - round_.consents)
    return True


def must_act(
    session: Session, case: Case, setting: CaseSetting, today: date, actors: dict[int, Actor] | None = None
) -> list[tuple[User, list[Assessment]]]:
    """The people who have something to do on the case now, each with the actions they owe (from the engine).

    `actors` caches each person's register facts for a sweep: they are the same for every case on one day.
    """
    actors = {} if actors is None else actors
    workflow = WORKFLOWS[case.case_type]
    round_ = read_round(session, case, workflow)
    roles = {r for a in workflow.actions_from(case.state) if not a.abandons for r in a.who}
    queries = [AUDIENCES[ROLE_AUDIENCES[r]](case, setting, today) for r in roles if r in ROLE_AUDIENCES]
    people = []
    for user in active(session, queries[0].union(*queries[1:])) if queries else []:
        assert user.id is not None
        if user.id not in actors:
            actors[user.id] = load_actor(session, user, today)
        here = Situation(case, workflow, setting, roles_for(actors[user.id], setting), round_)
        owed = [o for o in here.options() if o.allowed and owes(o, round_)]
        if owed:
            people.append((user, owed))
    return people


def pending_organisations(session: Session, case: Case, setting: CaseSetting) -> frozenset[str]:
    """The voters that have not voted (or consented) in the current round; empty where the state collects neither."""
    workflow = WORKFLOWS[case.case_type]
    kinds = {a.collects for a in workflow.actions_from(case.state)}
    round_ = read_round(session, case, workflow)
    if Collect.vote in kinds:
        return setting.voters - round_.votes.keys()
    if Collect.consent in kinds:
        return setting.voters - round_.consents
    return frozenset()


def escalated_to(session: Session, case: Case, setting: CaseSetting, today: date, *, level: int) -> list[User]:
    """First escalation: the secretariat and the designated representatives of the organisations that have not
    answered; the second: the secretariat and the deciding board's chair."""
    queries = [AUDIENCES[Audience.secretariat](case, setting, today)]
    if level == 1:
        queries.append(_designated(today, pending_organisations(session, case, setting)))
    else:
        chair = _seated(today, setting.deciding_board_id).where(Membership.seat == Seat.chair)
        queries.append(chair)
    return active(session, queries[0].union(*queries[1:]))
