"""Building blocks several case types share: a board's decision round, and LBF's answer."""

from workflows import guards, schemas
from workflows.spec import Action, Role

SECRETARIAT = (Role.secretariat,)
APPLICANTS = (Role.secretariat, Role.project_leader, Role.party_org)


def decision_round(
    *, voting: str, approved: str, returned: str, postponed_to: str, voters: tuple[Role, ...]
) -> tuple[Action, ...]:
    """Votes per organisation while `voting`, then the secretariat records the outcome the votes carry."""
    return (
        Action("vote", (voting,), None, (*voters, Role.secretariat), "Afgiv stemme", "Cast vote",
               guards=(guards.acts_for_voter, guards.has_source_if_recorded), requires=schemas.Vote, on_behalf=True),
        Action("give_statement", (voting,), None, (Role.city_member, Role.deciding_party_member, Role.secretariat),
               "Afgiv udtalelse", "Give statement", requires=schemas.Statement),
        Action("approve", (voting,), approved, SECRETARIAT, "Registrér godkendelse", "Record approval",
               guards=(guards.is_approved_by_rule,), notifies=("applicant", "parties")),
        Action("reject", (voting,), "rejected", SECRETARIAT, "Registrér afslag", "Record rejection",
               guards=(guards.is_rejected_by_rule,), notifies=("applicant", "parties")),
        Action("send_back", (voting,), returned, SECRETARIAT, "Send tilbage", "Send back", notifies=("applicant",)),
        Action("postpone", (voting,), postponed_to, SECRETARIAT, "Udsæt", "Postpone"),
    )  # fmt: skip


def lbf_answers(*, waiting: str, approved: str, rejected: str, queried: str | None) -> tuple[Action, ...]:
    """The secretariat records LBF's reply: approval, rejection, or (where the type has it) a query."""
    actions = [
        Action("record_lbf_approval", (waiting,), approved, SECRETARIAT, "Registrér LBF's godkendelse",
               "Record LBF approval", requires=schemas.LbfReply, notifies=("applicant", "parties"),
               effects=("note_lbf_approval",)),
        Action("record_lbf_rejection", (waiting,), rejected, SECRETARIAT, "Registrér LBF's afslag",
               "Record LBF rejection", requires=schemas.LbfReply, notifies=("applicant", "parties")),
    ]  # fmt: skip
    if queried:
        actions += [
            Action("record_lbf_query", (waiting,), queried, SECRETARIAT, "Registrér spørgsmål fra LBF",
                   "Record LBF query", requires=schemas.LbfReply, notifies=("applicant",)),
            Action("answer_lbf_query", (queried,), waiting, APPLICANTS, "Besvar LBF", "Answer LBF",
                   requires=schemas.Statement),
        ]  # fmt: skip
    return tuple(actions)
