"""Pure predicates over `Facts`, shared by the case types; no I/O, so allowed-action lists may run them freely."""

from collections.abc import Mapping

from workflows.spec import Facts, Guard


def tally(votes: Mapping[str, str], voters: frozenset[str], rule: str) -> str:
    """The outcome of a decision round: "approved", "rejected" or "undecided".

    Quorum: every voting organisation has voted (abstaining counts as voting). Unanimity (the default):
    approved when no one rejected and someone approved; one rejection rejects. Majority: more approvals
    than rejections approves, otherwise rejected once anyone rejected.
    """
    counted = {org: vote for org, vote in votes.items() if org in voters}
    if not voters or set(counted) != set(voters):
        return "undecided"
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
    return tally(facts.votes, facts.voters, facts.decision_rule)


def _moves_balance(facts: Facts) -> bool:
    moves = facts.data.get("budget_moves") or []
    one_sided = any(not (m.get("from_area") and m.get("to_area")) for m in moves)
    return bool(facts.data.get("changes_total")) or not one_sided


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
    _moves_balance,
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
    lambda f: f.state.startswith("lbf_") or not f.data.get("lbf_approval_needed"),
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
