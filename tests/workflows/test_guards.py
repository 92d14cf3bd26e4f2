"""The governance guards of domain.md §3.1 as pure functions of `Facts`: no database, no HTTP.

The decision rule with the City's veto, the default LBF policy (every branch), the guards that read the action's
input or the plan's situation, and which organisations an actor may only record a vote or consent for.
"""

from dataclasses import replace
from typing import Any

import pytest

from workflows import guards
from workflows.guards import lbf_needed_by_default, tally
from workflows.machine import assess
from workflows.registry import WORKFLOWS
from workflows.spec import Facts, Role

PARTIES = frozenset({"FSB", "AAB"})
THREE = frozenset({"FSB", "AAB", "SAB"})
KK = frozenset({"KK"})


def line(side: str, area: str, year: int, funder: str) -> dict[str, Any]:
    return {f"{side}_area": area, f"{side}_year": year, f"{side}_funder": funder}


def move(src: tuple[str, int, str] | None, dst: tuple[str, int, str] | None, amount: int = 100_000) -> dict[str, Any]:
    """A budget move between lines given as (area, year, funder); None for a one-sided move."""
    result: dict[str, Any] = {"amount_dkk": amount}
    if src:
        result |= line("from", *src)
    if dst:
        result |= line("to", *dst)
    return result


# -- tally: the outcome of a decision round --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "rule", "outcome"),
    [
        pytest.param({"FSB": "approve", "AAB": "approve"}, "unanimity", "approved", id="unanimity: all approve"),
        pytest.param({"FSB": "approve", "AAB": "reject"}, "unanimity", "rejected", id="unanimity: one rejection"),
        pytest.param({"FSB": "approve", "AAB": "abstain"}, "unanimity", "approved", id="unanimity: approve + abstain"),
        pytest.param({"FSB": "abstain", "AAB": "abstain"}, "unanimity", "undecided", id="unanimity: all abstain"),
        pytest.param({"FSB": "approve"}, "unanimity", "undecided", id="quorum: one party has not voted"),
        pytest.param({}, "unanimity", "undecided", id="quorum: no votes"),
        pytest.param({"FSB": "reject"}, "unanimity", "undecided", id="quorum: a rejection waits for everyone"),
        pytest.param(
            {"FSB": "approve", "AAB": "approve", "SAB": "reject"},
            "unanimity",
            "approved",
            id="votes of non-voters do not count",
        ),
        pytest.param({"FSB": "approve", "AAB": "reject"}, "majority", "rejected", id="majority: a tie rejects"),
        pytest.param({"FSB": "abstain", "AAB": "abstain"}, "majority", "undecided", id="majority: all abstain"),
        pytest.param({"FSB": "approve", "AAB": "abstain"}, "majority", "approved", id="majority: approve + abstain"),
    ],
)
def test_tally_two_parties(votes: dict[str, str], rule: str, outcome: str) -> None:
    assert tally(votes, PARTIES, rule) == outcome


@pytest.mark.parametrize(
    ("votes", "rule", "outcome"),
    [
        pytest.param({"FSB": "approve", "AAB": "approve", "SAB": "reject"}, "majority", "approved", id="2 of 3"),
        pytest.param({"FSB": "approve", "AAB": "reject", "SAB": "reject"}, "majority", "rejected", id="1 of 3"),
        pytest.param(
            {"FSB": "approve", "AAB": "reject", "SAB": "abstain"}, "majority", "rejected", id="tie with an abstention"
        ),
        pytest.param({"FSB": "approve", "AAB": "approve"}, "majority", "undecided", id="quorum: SAB has not voted"),
        pytest.param(
            {"FSB": "approve", "AAB": "approve", "SAB": "reject"},
            "unanimity",
            "rejected",
            id="the same votes under unanimity",
        ),
    ],
)
def test_tally_three_parties(votes: dict[str, str], rule: str, outcome: str) -> None:
    assert tally(votes, THREE, rule) == outcome


@pytest.mark.parametrize(
    ("votes", "voters", "rule", "outcome"),
    [
        pytest.param(
            {"FSB": "approve", "AAB": "approve", "KK": "approve"},
            PARTIES,
            "unanimity",
            "approved",
            id="parties and the City approve",
        ),
        pytest.param(
            {"FSB": "approve", "AAB": "approve", "KK": "reject"}, PARTIES, "unanimity", "rejected", id="City rejects"
        ),
        pytest.param(
            {"FSB": "approve", "AAB": "approve", "KK": "abstain"},
            PARTIES,
            "unanimity",
            "rejected",
            id="City abstains (issue 7: gave approved)",
        ),
        pytest.param({"FSB": "approve", "AAB": "approve"}, PARTIES, "unanimity", "undecided", id="City has not voted yet"),
        pytest.param(
            {"FSB": "approve", "AAB": "approve", "SAB": "approve", "KK": "reject"},
            THREE,
            "majority",
            "rejected",
            id="three parties approve, City rejects, majority (issue 7: gave approved)",
        ),
        pytest.param(
            {"FSB": "approve", "AAB": "approve", "SAB": "reject", "KK": "approve"},
            THREE,
            "majority",
            "approved",
            id="majority of parties and the City approve",
        ),
        pytest.param(
            {"FSB": "approve", "AAB": "reject", "KK": "approve"},
            PARTIES,
            "unanimity",
            "rejected",
            id="City approves, a party rejects",
        ),
        pytest.param(
            {"FSB": "approve", "KK": "reject"},
            PARTIES,
            "unanimity",
            "undecided",
            id="City rejects but a party has not voted",
        ),
    ],
)
def test_tally_with_the_city_veto(votes: dict[str, str], voters: frozenset[str], rule: str, outcome: str) -> None:
    assert tally(votes, voters, rule, veto=KK) == outcome


def test_the_veto_is_read_through_the_guards_from_the_facts() -> None:
    """The guards count the parties by the rule and the City by its veto, from the same facts."""
    base = Facts(voters=PARTIES | KK, veto=KK, decision_rule="majority")
    abstained = replace(base, votes={"FSB": "approve", "AAB": "approve", "KK": "abstain"})
    assert not guards.is_approved_by_rule(abstained) and guards.is_rejected_by_rule(abstained)
    agreed = replace(base, votes={"FSB": "approve", "AAB": "reject", "KK": "approve"})
    assert not guards.is_approved_by_rule(agreed) and guards.is_rejected_by_rule(agreed)  # a tie among the parties
    pending = replace(base, votes={"FSB": "approve", "AAB": "approve"})
    assert not guards.is_approved_by_rule(pending) and not guards.is_rejected_by_rule(pending)


# -- the default LBF policy ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "material", "needed"),
    [
        pytest.param(
            {"budget_moves": [move(("UB", 2017, "LBF"), ("UB", 2016, "LBF"))]},
            False,
            False,
            id="within an area, same funder",
        ),
        pytest.param(
            {"budget_moves": [move(("UB", 2017, "KK"), ("UB", 2017, "HOUSING"))]},
            False,
            False,
            id="within an area, funder changes but not to or from LBF",
        ),
        pytest.param(
            {"budget_moves": [move(("KP", 2017, "LBF"), ("FF", 2017, "LBF"))]}, False, True, id="between activity areas"
        ),
        pytest.param(
            {
                "budget_moves": [
                    move(("UB", 2017, "LBF"), ("UB", 2016, "LBF")),
                    move(("KP", 2017, "LBF"), ("FF", 2017, "LBF")),
                ]
            },
            False,
            True,
            id="one of several moves between areas",
        ),
        pytest.param(
            {"budget_moves": [move(("UB", 2017, "LBF"), None)], "changes_total": True},
            False,
            True,
            id="one-sided from: the total falls",
        ),
        pytest.param(
            {"budget_moves": [move(None, ("UB", 2017, "KK"))], "changes_total": True},
            False,
            True,
            id="one-sided to: the total grows",
        ),
        pytest.param(
            {"budget_moves": [move(None, ("UB", 2017, "KK"))]}, False, True, id="one-sided without the changes_total flag"
        ),
        pytest.param(
            {"budget_moves": [move(("UB", 2017, "LBF"), ("UB", 2016, "LBF"))], "changes_total": True},
            False,
            True,
            id="changes_total flag",
        ),
        pytest.param({"changes_total": True}, False, True, id="changes_total flag without moves"),
        pytest.param({"budget_moves": [move(("UB", 2017, "LBF"), ("UB", 2017, "KK"))]}, False, True, id="LBF share falls"),
        pytest.param(
            {"budget_moves": [move(("UB", 2017, "HOUSING"), ("UB", 2017, "LBF"))]}, False, True, id="LBF share grows"
        ),
        pytest.param({"kind": "content", "change_description": "x"}, True, True, id="material content change"),
        pytest.param(
            {"budget_moves": [move(("UB", 2017, "LBF"), ("UB", 2016, "LBF"))]}, True, True, id="material within-area move"
        ),
        pytest.param({"kind": "content", "change_description": "x"}, False, False, id="content change, not material"),
        pytest.param({}, False, False, id="empty"),
        pytest.param({"budget_moves": []}, False, False, id="no moves"),
    ],
)
def test_lbf_needed_by_default(data: dict[str, Any], material: bool, needed: bool) -> None:
    assert lbf_needed_by_default(data, material=material) is needed


BETWEEN = {"budget_moves": [move(("KP", 2017, "LBF"), ("FF", 2017, "LBF"))]}
WITHIN = {"budget_moves": [move(("UB", 2017, "LBF"), ("UB", 2016, "LBF"))]}


@pytest.mark.parametrize(
    ("data", "action_data", "passes"),
    [
        pytest.param(BETWEEN, {"lbf_approval_needed": False}, False, id="waiving LBF between areas (issue 7)"),
        pytest.param(BETWEEN, {"lbf_approval_needed": True}, True, id="confirming LBF between areas"),
        pytest.param(BETWEEN, {"material": False}, True, id="no override between areas"),
        pytest.param(WITHIN, {"lbf_approval_needed": False}, True, id="within an area: nothing to waive"),
        pytest.param(WITHIN, {"lbf_approval_needed": True}, True, id="adding LBF within an area"),
        pytest.param(
            WITHIN, {"lbf_approval_needed": False, "material": True}, False, id="waiving LBF for a material change"
        ),
        pytest.param(WITHIN, {}, True, id="no input at all"),
    ],
)
def test_keeps_lbf_approval(data: dict[str, Any], action_data: dict[str, Any], passes: bool) -> None:
    assert guards.keeps_lbf_approval(Facts(data=data, action_data=action_data)) is passes


# -- provenance: a record on an organisation's behalf names its source ------------------------------------------------


@pytest.mark.parametrize(
    ("action_data", "recorded_for", "passes"),
    [
        pytest.param({"organisation": "FSB", "vote": "approve"}, frozenset(), True, id="own member or officer"),
        pytest.param(
            {"organisation": "FSB", "vote": "approve"},
            frozenset({"AAB"}),
            True,
            id="own organisation while recording for another",
        ),
        pytest.param({"organisation": "AAB", "vote": "approve"}, frozenset({"AAB"}), False, id="recorded, no source"),
        pytest.param(
            {"organisation": "AAB", "vote": "approve", "meeting_id": 7},
            frozenset({"AAB"}),
            True,
            id="recorded from the meeting whose agenda the case is on",
        ),
        pytest.param(
            {"organisation": "AAB", "vote": "approve", "meeting_id": 8},
            frozenset({"AAB"}),
            False,
            id="recorded from another meeting",
        ),
        pytest.param(
            {"organisation": "AAB", "vote": "approve", "document_id": 3},
            frozenset({"AAB"}),
            True,
            id="recorded from a document",
        ),
        pytest.param({"organisation": "AAB"}, frozenset({"FSB", "AAB"}), False, id="a consent without a source"),
        pytest.param({}, frozenset({"AAB"}), True, id="no input yet: possible with a source"),
    ],
)
def test_has_source_if_recorded(action_data: dict[str, Any], recorded_for: frozenset[str], passes: bool) -> None:
    facts = Facts(action_data=action_data, voters=PARTIES, acting_for=PARTIES, recorded_for=recorded_for, round_meeting=7)
    assert guards.has_source_if_recorded(facts) is passes


def test_a_meeting_is_no_source_for_a_round_in_written_procedure() -> None:
    facts = Facts(action_data={"organisation": "AAB", "vote": "approve", "meeting_id": 7}, recorded_for=frozenset({"AAB"}))
    assert facts.round_meeting is None and not guards.has_source_if_recorded(facts)


# -- the plan's situation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("running", [True, False])
def test_has_live_grant(running: bool) -> None:
    assert guards.has_live_grant(Facts(grant_running=running)) is running


@pytest.mark.parametrize(
    ("started", "final_accepted", "passes"),
    [(True, False, True), (False, False, False), (True, True, False), (False, True, False)],
)
def test_has_grant_until_final_report(started: bool, final_accepted: bool, passes: bool) -> None:
    facts = Facts(grant_started=started, final_report_accepted=final_accepted, grant_running=False)
    assert guards.has_grant_until_final_report(facts) is passes


@pytest.mark.parametrize(("others", "passes"), [((), True), (("BS-2016-0007",), False), (("A", "B"), False)])
def test_is_only_open_change(others: tuple[str, ...], passes: bool) -> None:
    assert guards.is_only_open_change(Facts(others_open=others)) is passes


@pytest.mark.parametrize(
    ("data", "competence", "passes"),
    [
        ({"direction": "to_central"}, "district", True),
        ({"direction": "to_central"}, "central", False),
        ({"direction": "to_district"}, "central", True),
        ({"direction": "to_district"}, "district", False),
        ({}, "district", True),  # the default direction is to the central board
        ({}, "central", False),
    ],
)
def test_is_transfer_possible(data: dict[str, Any], competence: str, passes: bool) -> None:
    assert guards.is_transfer_possible(Facts(data=data, competence=competence)) is passes


# -- assess: whom an actor only records for ----------------------------------------------------------------------------


def vote_assessment(case_type: str, roles: dict[Role, frozenset[str]], action_data: dict[str, Any] | None = None):
    workflow = WORKFLOWS[case_type]
    voters = PARTIES | KK if workflow.city_veto else PARTIES
    facts = Facts(
        state="scheduled",
        voters=voters,
        veto=KK if workflow.city_veto else frozenset(),
        action_data=action_data or {},
        round_meeting=1,
    )
    return next(a for a in assess(workflow, "scheduled", roles, facts) if a.action.name == "vote")


@pytest.mark.parametrize(
    ("roles", "acting_for", "recorded_for"),
    [
        pytest.param({Role.secretariat: PARTIES}, PARTIES, PARTIES, id="secretariat only: records for all"),
        pytest.param({Role.deciding_party_member: frozenset({"FSB"})}, {"FSB"}, frozenset(), id="member only"),
        pytest.param(
            {Role.secretariat: PARTIES, Role.deciding_party_member: frozenset({"FSB"})},
            PARTIES,
            frozenset({"AAB"}),
            id="secretariat and member for FSB: records only for AAB",
        ),
        pytest.param(
            {Role.secretariat: PARTIES, Role.party_org: PARTIES},
            PARTIES,
            PARTIES,
            id="party_org is not a voter role on a change request",
        ),
    ],
)
def test_assess_records_only_what_the_secretariat_role_alone_gives(
    roles: dict[Role, frozenset[str]], acting_for: frozenset[str], recorded_for: frozenset[str]
) -> None:
    verdict = vote_assessment("change_request", roles)
    assert verdict.facts is not None
    assert verdict.facts.acting_for == acting_for and verdict.facts.recorded_for == recorded_for


def test_assess_refuses_a_recorded_vote_without_a_source_and_allows_the_own_one() -> None:
    roles = {Role.secretariat: PARTIES, Role.deciding_party_member: frozenset({"FSB"})}
    recorded = vote_assessment("change_request", roles, {"organisation": "AAB", "vote": "approve"})
    assert not recorded.allowed and recorded.guard is guards.has_source_if_recorded
    sourced = vote_assessment("change_request", roles, {"organisation": "AAB", "vote": "approve", "meeting_id": 1})
    assert sourced.allowed
    own = vote_assessment("change_request", roles, {"organisation": "FSB", "vote": "approve"})
    assert own.allowed


def test_assess_the_city_member_votes_for_kk_on_an_agreement_change_and_the_secretariat_only_records_it() -> None:
    city = vote_assessment("strategic_agreement_change", {Role.city_member: KK})
    assert city.facts is not None and city.facts.acting_for == KK and city.facts.recorded_for == frozenset()
    secretariat = vote_assessment("strategic_agreement_change", {Role.secretariat: PARTIES | KK})
    assert secretariat.facts is not None and secretariat.facts.recorded_for == PARTIES | KK
    refused = vote_assessment(
        "strategic_agreement_change", {Role.secretariat: PARTIES | KK}, {"organisation": "KK", "vote": "approve"}
    )
    assert not refused.allowed and refused.guard is guards.has_source_if_recorded


def test_assess_a_consent_by_an_officer_and_by_the_secretariat() -> None:
    workflow = WORKFLOWS["competence_transfer"]
    facts = Facts(state="requested", voters=PARTIES)
    roles = {Role.secretariat: PARTIES, Role.party_org: frozenset({"FSB"})}
    consent = next(a for a in assess(workflow, "requested", roles, facts) if a.action.name == "consent")
    assert consent.facts is not None and consent.facts.recorded_for == frozenset({"AAB"})
    officer = next(
        a for a in assess(workflow, "requested", {Role.party_org: frozenset({"FSB"})}, facts) if a.action.name == "consent"
    )
    assert officer.facts is not None and officer.facts.recorded_for == frozenset()
