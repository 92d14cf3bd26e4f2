"""Building blocks several case types share: a board's decision round, and LBF's answer."""

from pydantic import BaseModel

from workflows import guards, schemas
from workflows.spec import Action, Audience, Collect, Deadline, DeadlineKind, Effect, Guard, Outcome, Role, State, Wait

SECRETARIAT = (Role.secretariat,)
APPLICANTS = (Role.secretariat, Role.project_leader, Role.party_org)


def decision_states(*, voting: str, approved: tuple[str, str]) -> tuple[State, ...]:
    """The states of a board's decision round: on the agenda, then sent back, approved or rejected."""
    return (
        State(voting, "Sat på dagsorden", "Scheduled", Wait.meeting),
        State("returned", "Sendt tilbage", "Returned"),
        State("approved", *approved),
        State("rejected", "Afvist", "Rejected", Wait.done, final=True),
    )


def lbf_states(*, waiting: str = "awaiting_lbf") -> tuple[State, ...]:
    """The states while LBF answers: waiting, queried, approved or rejected."""
    return (
        State(waiting, "Afventer LBF", "Awaiting LBF", Wait.lbf),
        State("lbf_queried", "Spørgsmål fra LBF", "Queried by LBF"),
        State("lbf_approved", "Godkendt af LBF", "Approved by LBF"),
        State("lbf_rejected", "Afvist af LBF", "Rejected by LBF", Wait.done, final=True),
    )


def lbf_reply(waiting: str) -> Deadline:
    """LBF is expected to answer within 30 days; after 45 the secretariat escalates (domain.md §6)."""
    return Deadline(
        "lbf_reply",
        waiting,
        (waiting,),
        DeadlineKind.external_body,
        calendar_days=30,
        escalate_after_days=45,
        remind_before=(0,),  # the secretariat chases LBF on the day the reply was expected
        da="Svar fra LBF",
        en="LBF's reply",
    )


def written_procedure(voting: str) -> Deadline:
    """A round by written procedure (skriftlig behandling) runs 5 working days (domain.md §6)."""
    return Deadline(
        "written_procedure",
        voting,
        (voting,),
        DeadlineKind.statutory,
        working_days=5,
        remind_before=(2, 0),
        when="written_procedure",
        da="Skriftlig behandling",
        en="Written procedure",
    )


def screening_and_consultation(
    *, requires: type[BaseModel] | None = None, rules: tuple[Guard, ...] = ()
) -> tuple[Action, ...]:
    """From screening, straight to ready for decision or through the local group's consultation (høring).

    `requires` and `rules` are the screening's input and rules (e.g. whether LBF must approve); both ways screen.
    """
    return (
        Action(
            "start_consultation",
            ("screening",),
            "consultation",
            SECRETARIAT,
            "Send i høring",
            "Start consultation",
            requires=requires,
            guards=rules,
            notifies=(Audience.local_group,),
            effects=(Effect.screen,),
        ),
        Action(
            "respond",
            ("consultation",),
            None,
            (Role.local_group_member, Role.secretariat),
            "Afgiv høringssvar",
            "Respond to consultation",
            requires=schemas.Statement,
        ),
        Action(
            "close_consultation", ("consultation",), "ready_for_decision", SECRETARIAT, "Afslut høring", "Close consultation"
        ),
        Action(
            "mark_ready",
            ("screening",),
            "ready_for_decision",
            SECRETARIAT,
            "Klar til beslutning",
            "Mark ready for decision",
            requires=requires,
            guards=rules,
            effects=(Effect.screen,),
        ),
    )


def decision_round(
    *, voting: str, approved: str, returned: str, postponed_to: str, voters: tuple[Role, ...]
) -> tuple[Action, ...]:
    """Votes per organisation while `voting`, then the secretariat records the outcome the votes carry."""
    return (
        Action(
            "vote",
            (voting,),
            None,
            (*voters, Role.secretariat),
            "Afgiv stemme",
            "Cast vote",
            guards=(guards.acts_for_voter, guards.has_source_if_recorded),
            requires=schemas.Vote,
            on_behalf=True,
            collects=Collect.vote,
        ),
        Action(
            "give_statement",
            (voting,),
            None,
            (Role.city_member, Role.deciding_party_member, Role.secretariat),
            "Afgiv udtalelse",
            "Give statement",
            requires=schemas.Statement,
            optional=True,
        ),
        Action(
            "approve",
            (voting,),
            approved,
            SECRETARIAT,
            "Registrér godkendelse",
            "Record approval",
            guards=(guards.is_approved_by_rule,),
            outcome=Outcome.approved,
            effects=(Effect.check_budget_moves,),  # an approval promises the money: it must still be there
            notifies=(
                Audience.applicant,
                Audience.parties,
            ),
        ),
        Action(
            "reject",
            (voting,),
            "rejected",
            SECRETARIAT,
            "Registrér afslag",
            "Record rejection",
            guards=(guards.is_rejected_by_rule,),
            outcome=Outcome.rejected,
            notifies=(
                Audience.applicant,
                Audience.parties,
            ),
        ),
        Action(
            "send_back",
            (voting,),
            returned,
            SECRETARIAT,
            "Send tilbage",
            "Send back",
            notifies=(Audience.applicant,),
            optional=True,
            outcome=Outcome.returned,
        ),
        Action(
            "postpone",
            (voting,),
            postponed_to,
            SECRETARIAT,
            "Udsæt",
            "Postpone",
            postpones=True,
            optional=True,
            outcome=Outcome.postponed,
        ),
    )


def lbf_answers(*, waiting: str, approved: str, rejected: str, queried: str | None) -> tuple[Action, ...]:
    """The secretariat records LBF's reply: approval, rejection, or (where the type has it) a query."""
    actions = [
        Action(
            "record_lbf_approval",
            (waiting,),
            approved,
            SECRETARIAT,
            "Registrér LBF's godkendelse",
            "Record LBF approval",
            requires=schemas.LbfReply,
            notifies=(
                Audience.applicant,
                Audience.parties,
            ),
            effects=(Effect.note_lbf_approval,),
        ),
        Action(
            "record_lbf_rejection",
            (waiting,),
            rejected,
            SECRETARIAT,
            "Registrér LBF's afslag",
            "Record LBF rejection",
            requires=schemas.LbfReply,
            notifies=(
                Audience.applicant,
                Audience.parties,
            ),
        ),
    ]
    if queried:
        actions += [
            Action(
                "record_lbf_query",
                (waiting,),
                queried,
                SECRETARIAT,
                "Registrér spørgsmål fra LBF",
                "Record LBF query",
                requires=schemas.LbfReply,
                notifies=(Audience.applicant,),
            ),
            Action(
                "answer_lbf_query", (queried,), waiting, APPLICANTS, "Besvar LBF", "Answer LBF", requires=schemas.Statement
            ),
        ]
    return tuple(actions)
