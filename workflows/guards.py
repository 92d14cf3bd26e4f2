"""Pure predicates over `Facts`, shared by the case types; no I/O, so allowed-action lists may run them freely."""

from collections.abc import Mapping
from typing import Any

from workflows.spec import Facts, Guard


def tally(votes: Mapping[str, str], voters: frozenset[str], rule: str, veto: frozenset[str] = frozenset()) -> str:
    """The outcome of a decision round: "approved", "rejected" or "undecided".

    Quorum: every voting organisation has voted (abstaining counts as voting). Unanimity (the default):
    approved when no one rejected and someone approved; one rejection rejects. Majority: more approvals
    than rejections approves; otherwise rejected once anyone rejected (a tie with a rejection rejects).
    `veto` holders (the City on strategic agreements) vote besides the parties and must approve: their
    rejection or abstention rejects, whatever the parties decide.
    """
    counted = {org: vote for org, vote in votes.items() if org in voters}
    if not voters or set(counted) != set(voters) or not veto <= votes.keys():
        return "undecided"
    if any(votes[org] != "approve" for org in veto):
        return "rejected"
    approvals = sum(vote == "approve" for vote in counted.values())
    rejections = sum(vote == "reject" for vote in counted.values())
    if rule == "majority":
        if approvals > rejections:
            return "approved"
        return "rejected" if rejections else "undecided"
    if rejections:
        return "rejected"
    return "approved" if approvals else "undecided"


def _outcome(facts: Facts) -> str:
    return tally(facts.votes, facts.voters - facts.veto, facts.decision_rule, facts.veto)


def lbf_needed_by_default(data: Mapping[str, Any], *, material: bool) -> bool:
    """The default LBF policy (domain.md §4.1): money moves between activity areas, the plan's total or LBF's
    share changes, or the secretariat found a content change material."""
    if material or data.get("changes_total"):
        return True
    for move in data.get("budget_moves") or []:
        if not (move.get("from_area") and move.get("to_area")):
            return True  # one-sided: the total changes
        if move["from_area"] != move["to_area"]:
            return True
        if "LBF" in (move.get("from_funder"), move.get("to_funder")) and move.get("from_funder") != move.get("to_funder"):
            return True
    return False


def _keeps_lbf(facts: Facts) -> bool:
    """An override may add LBF approval, never waive what the default policy requires."""
    if facts.action_data.get("lbf_approval_needed") is not False:
        return True
    return not lbf_needed_by_default(facts.data, material=bool(facts.action_data.get("material")))


def _acts_with_source(facts: Facts) -> bool:
    org = facts.action_data.get("organisation")
    if org not in facts.recorded_for:
        return True  # the organisation's own member or officer acts
    if facts.action_data.get("document_id"):
        return True
    meeting = facts.action_data.get("meeting_id")
    return meeting is not None and meeting == facts.round_meeting


def _transfer_possible(facts: Facts) -> bool:
    direction = facts.data.get("direction", "to_central")
    return (direction, facts.competence) in {("to_central", "district"), ("to_district", "central")}


def moves_balance(data: Mapping[str, Any]) -> bool:
    """Every move has a 'from' and a 'to' line, unless the change says it changes the plan's total."""
    moves = data.get("budget_moves") or []
    one_sided = any(not (m.get("from_area") and m.get("to_area")) for m in moves)
    return bool(data.get("changes_total")) or not one_sided


def _has_moves_if_economic(facts: Facts) -> bool:
    return facts.data.get("kind") not in ("economic", "content_and_economic") or bool(facts.data.get("budget_moves"))


def _acts_for_voter(facts: Facts) -> bool:
    org = facts.action_data.get("organisation")
    return org in facts.voters and org in facts.acting_for


is_approved_by_rule = Guard(
    "is_approved_by_rule",
    lambda f: _outcome(f) == "approved",
    "the votes recorded in this round do not carry an approval under the board's decision rule",
    "stemmerne i denne runde bærer ikke en godkendelse efter bestyrelsens beslutningsregel",
)
is_rejected_by_rule = Guard(
    "is_rejected_by_rule",
    lambda f: _outcome(f) == "rejected",
    "the votes recorded in this round do not carry a rejection under the board's decision rule",
    "stemmerne i denne runde bærer ikke et afslag efter bestyrelsens beslutningsregel",
)
is_balanced = Guard(
    "is_balanced",
    lambda f: moves_balance(f.data),
    "the budget moves do not balance: each move needs both a 'from' and a 'to' line unless changes_total is set",
    "budgetflytningerne balancerer ikke: hver flytning skal have en fra- og en til-linje, medmindre changes_total er sat",
    status=422,
    field="data.budget_moves",
)
is_described = Guard(
    "is_described",
    lambda f: bool(f.data.get("change_description")),
    "the change request needs a change_description before it is submitted",
    "ændringsanmodningen skal have en change_description, før den indsendes",
    status=422,
    field="data.change_description",
)
has_moves_if_economic = Guard(
    "has_moves_if_economic",
    _has_moves_if_economic,
    "an economic change needs budget_moves",
    "en økonomisk ændring skal have budget_moves",
    status=422,
    field="data.budget_moves",
)
needs_lbf = Guard(
    "needs_lbf",
    lambda f: bool(f.data.get("lbf_approval_needed")),
    "this case does not need LBF approval",
    "sagen skal ikke godkendes af LBF",
)
is_cleared_by_lbf = Guard(
    "is_cleared_by_lbf",
    lambda f: bool(f.data.get("lbf_approved_on")) or not f.data.get("lbf_approval_needed"),
    "this case needs LBF approval first: send it to LBF",
    "sagen skal først godkendes af LBF: send den til LBF",
)
acts_for_voter = Guard(
    "acts_for_voter",
    _acts_for_voter,
    "the vote must be cast for an organisation that decides on this plan and that you act for",
    "stemmen skal afgives for en organisation, der beslutter om planen, og som du handler for",
    status=403,
    possible=lambda f: bool(f.voters & f.acting_for),
)
has_all_consents = Guard(
    "has_all_consents",
    lambda f: bool(f.voters) and f.voters <= f.consents,
    "not every party housing organisation of the plan has consented yet",
    "ikke alle planens parter har givet samtykke endnu",
)
acts_for_party = Guard(
    "acts_for_party",
    lambda f: f.action_data.get("organisation") in (f.voters & f.acting_for),
    "you must act for a party housing organisation of the plan, named in data.organisation",
    "du skal handle for en af planens parter, angivet i data.organisation",
    status=403,
    possible=lambda f: bool(f.voters & f.acting_for),
)
keeps_lbf_approval = Guard(
    "keeps_lbf_approval",
    _keeps_lbf,
    "LBF approval can only be added, never waived: the default policy requires it for this case "
    "(money between activity areas, the total or LBF's share changed, or a material change)",
    "LBF-godkendelse kan kun tilføjes, aldrig fravælges: standardreglen kræver den for denne sag "
    "(penge mellem indsatsområder, ændret total eller LBF-andel, eller en væsentlig ændring)",
    status=403,
    field="data.lbf_approval_needed",
)
has_source_if_recorded = Guard(
    "has_source_if_recorded",
    _acts_with_source,
    "a vote or consent recorded on an organisation's behalf must name its source: data.meeting_id (the meeting "
    "whose agenda the case is on, where it was cast) or data.document_id (the organisation's letter attached to "
    "the case)",
    "en stemme eller et samtykke, der registreres på en organisations vegne, skal angive sin kilde: data.meeting_id "
    "(mødet med sagen på dagsordenen, hvor den blev afgivet) eller data.document_id (organisationens brev vedhæftet "
    "sagen)",
    status=403,
    possible=lambda f: True,
)
has_live_grant = Guard(
    "has_live_grant",
    lambda f: f.grant_running,
    "the plan's grant period is not running: such a case can only be opened while it runs",
    "planens bevillingsperiode løber ikke: en sådan sag kan kun oprettes, mens den løber",
)
has_grant_until_final_report = Guard(
    "has_grant_until_final_report",
    lambda f: f.grant_started and not f.final_report_accepted,
    "the plan's grant has not started, or its final report has been accepted by LBF",
    "planens bevilling er ikke begyndt, eller dens slutrapport er modtaget af LBF",
)
is_only_open_change = Guard(
    "is_only_open_change",
    lambda f: not f.others_open,
    "the plan already has an open case of this type; finish or withdraw it first",
    "planen har allerede en åben sag af denne type; afslut den, eller træk den tilbage først",
)
is_transfer_possible = Guard(
    "is_transfer_possible",
    _transfer_possible,
    "the plan is already decided where this transfer would move it: competence moves one way at a time",
    "planen besluttes allerede dér, hvor flytningen ville føre den hen: kompetencen flyttes én vej ad gangen",
)
