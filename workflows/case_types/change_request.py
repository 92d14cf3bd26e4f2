"""Ændringsanmodning: a content and/or economic change to a plan (domain.md §4.1)."""

from typing import Literal

from workflows import guards, schemas
from workflows.blocks import (
    APPLICANTS,
    SECRETARIAT,
    decision_round,
    decision_states,
    lbf_answers,
    lbf_reply,
    lbf_states,
    screening_and_consultation,
    written_procedure,
)
from workflows.labels import labelled
from workflows.spec import (
    Action,
    Audience,
    Deadline,
    DeadlineKind,
    Effect,
    GrantWindow,
    LbfPolicy,
    Role,
    State,
    Wait,
    Workflow,
)

Kind = Literal["content", "economic", "content_and_economic"]
KINDS = {
    "content": ("Indhold", "Content"),
    "economic": ("Økonomi", "Economic"),
    "content_and_economic": ("Indhold og økonomi", "Content and economic"),
}
KIND = ("Art", "Kind")
DESCRIPTION = ("Beskrivelse af ændringen", "Description of the change")
MOVES = ("Budgetflytninger", "Budget moves")
TOTAL = ("Ændrer totalen", "Changes the total")


class ChangeRequestData(schemas.Strict):
    kind: Kind = labelled(*KIND, choices=KINDS)
    change_description: str = labelled(*DESCRIPTION, default="", max_length=20_000)
    budget_moves: list[schemas.BudgetMove] = labelled(*MOVES, default_factory=list, max_length=100)
    changes_total: bool = labelled(*TOTAL, default=False)


class Edit(schemas.Strict):
    """Replace any of the draft's fields."""

    kind: Kind | None = labelled(*KIND, default=None, choices=KINDS)
    change_description: str | None = labelled(*DESCRIPTION, default=None, max_length=20_000)
    budget_moves: list[schemas.BudgetMove] | None = labelled(*MOVES, default=None, max_length=100)
    changes_total: bool | None = labelled(*TOTAL, default=None)


BEFORE_DECISION = ("draft", "submitted", "screening", "consultation", "ready_for_decision", "scheduled")

WORKFLOW = Workflow(
    key="change_request",
    da="Ændringsanmodning",
    en="Change request",
    subject="plan",
    initial="draft",
    creators=APPLICANTS,
    data_schema=ChangeRequestData,
    decided_in=(
        "approved",
        "rejected",
        "awaiting_lbf",
        "lbf_queried",
        "lbf_approved",
        "lbf_rejected",
        "implemented",
        "closed",
    ),
    lbf=LbfPolicy.by_default_rule,
    grant_window=GrantWindow.running,
    open_guards=(guards.has_live_grant,),
    budget_committed_in=("approved", "awaiting_lbf", "lbf_queried", "lbf_approved"),
    on_agenda="scheduled",
    local_group_sees=("consultation",),
    states=(
        State("draft", "Kladde", "Draft"),
        State("submitted", "Indsendt", "Submitted"),
        State("screening", "Under screening", "Screening"),
        State("consultation", "I høring", "In consultation", Wait.parties),
        State("ready_for_decision", "Klar til beslutning", "Ready for decision", Wait.meeting),
        *decision_states(voting="scheduled", approved=("Godkendt", "Approved")),
        *lbf_states(),
        State("implemented", "Gennemført", "Implemented"),
        State("closed", "Lukket", "Closed", Wait.done, final=True),
        State("withdrawn", "Trukket tilbage", "Withdrawn", Wait.done, final=True),
    ),
    actions=(
        Action(
            "edit",
            ("draft",),
            None,
            APPLICANTS,
            "Redigér",
            "Edit",
            requires=Edit,
            effects=(Effect.update_data, Effect.check_budget_moves),
        ),
        Action(
            "submit",
            ("draft",),
            "submitted",
            APPLICANTS,
            "Indsend",
            "Submit",
            guards=(guards.is_described, guards.has_moves_if_economic, guards.is_balanced),
            notifies=(Audience.secretariat,),
            effects=(Effect.check_budget_moves,),
        ),
        Action("start_screening", ("submitted",), "screening", SECRETARIAT, "Start screening", "Start screening"),
        *screening_and_consultation(requires=schemas.Screening, rules=(guards.keeps_lbf_approval,)),
        Action(
            "schedule",
            ("ready_for_decision",),
            "scheduled",
            SECRETARIAT,
            "Sæt på dagsorden",
            "Schedule",
            requires=schemas.Schedule,
            notifies=(Audience.deciding_board,),
        ),
        *decision_round(
            voting="scheduled",
            approved="approved",
            returned="returned",
            postponed_to="ready_for_decision",
            voters=(Role.deciding_party_member,),
        ),
        Action("revise", ("returned",), "draft", APPLICANTS, "Genoptag kladde", "Revise"),
        Action(
            "send_to_lbf",
            ("approved",),
            "awaiting_lbf",
            SECRETARIAT,
            "Send til LBF",
            "Send to LBF",
            guards=(guards.needs_lbf,),
        ),
        *lbf_answers(waiting="awaiting_lbf", approved="lbf_approved", rejected="lbf_rejected", queried="lbf_queried"),
        Action(
            "implement",
            ("approved", "lbf_approved"),
            "implemented",
            SECRETARIAT,
            "Gennemfør",
            "Implement",
            guards=(guards.is_cleared_by_lbf,),
            effects=(Effect.apply_budget_moves,),
            notifies=(Audience.applicant,),
        ),
        Action("close", ("implemented",), "closed", SECRETARIAT, "Luk sag", "Close"),
        Action(
            "withdraw",
            (*BEFORE_DECISION, "returned"),
            "withdrawn",
            APPLICANTS,
            "Træk tilbage",
            "Withdraw",
            notifies=(Audience.secretariat,),
            abandons=True,
        ),
    ),
    deadlines=(
        Deadline(
            "screening",
            "submitted",
            ("submitted", "screening"),
            DeadlineKind.service_target,
            working_days=10,
            da="Screening",
            en="Screening",
        ),
        Deadline(
            "consultation",
            "consultation",
            ("consultation",),
            DeadlineKind.service_target,
            working_days=10,
            da="Høringsfrist",
            en="Consultation",
        ),
        written_procedure("scheduled"),
        lbf_reply("awaiting_lbf"),
    ),
)
