"""Ændringsanmodning: a content and/or economic change to a plan (domain.md §4.1)."""

from typing import Literal

from pydantic import Field

from workflows import guards, schemas
from workflows.blocks import APPLICANTS, SECRETARIAT, decision_round, lbf_answers
from workflows.spec import Action, Deadline, DeadlineKind, GrantWindow, LbfPolicy, Role, State, Wait, Workflow


class ChangeRequestData(schemas.Strict):
    kind: Literal["content", "economic", "content_and_economic"]
    change_description: str = Field(default="", max_length=20_000)
    budget_moves: list[schemas.BudgetMove] = Field(default_factory=list, max_length=100)
    changes_total: bool = False


class Edit(schemas.Strict):
    """Replace any of the draft's fields."""

    kind: Literal["content", "economic", "content_and_economic"] | None = None
    change_description: str | None = Field(default=None, max_length=20_000)
    budget_moves: list[schemas.BudgetMove] | None = Field(default=None, max_length=100)
    changes_total: bool | None = None


BEFORE_DECISION = ("draft", "submitted", "screening", "consultation", "ready_for_decision", "scheduled")

WORKFLOW = Workflow(
    key="change_request",
    da="Ændringsanmodning",
    en="Change request",
    subject="plan",
    initial="draft",
    creators=APPLICANTS,
    data_schema=ChangeRequestData,
    decided_in=("approved", "rejected", "awaiting_lbf", "lbf_queried", "lbf_approved", "lbf_rejected",
                "implemented", "closed"),
    lbf=LbfPolicy.by_default_rule,
    grant_window=GrantWindow.running,
    open_guards=(guards.has_live_grant,),
    budget_committed_in=("approved", "awaiting_lbf", "lbf_queried", "lbf_approved"),
    states=(
        State("draft", "Kladde", "Draft"),
        State("submitted", "Indsendt", "Submitted"),
        State("screening", "Under screening", "Screening"),
        State("consultation", "I høring", "In consultation", Wait.parties),
        State("ready_for_decision", "Klar til beslutning", "Ready for decision", Wait.meeting),
        State("scheduled", "Sat på dagsorden", "Scheduled", Wait.meeting),
        State("returned", "Sendt tilbage", "Returned"),
        State("approved", "Godkendt", "Approved"),
        State("rejected", "Afvist", "Rejected", Wait.done, final=True),
        State("awaiting_lbf", "Afventer LBF", "Awaiting LBF", Wait.lbf),
        State("lbf_queried", "Spørgsmål fra LBF", "Queried by LBF"),
        State("lbf_approved", "Godkendt af LBF", "Approved by LBF"),
        State("lbf_rejected", "Afvist af LBF", "Rejected by LBF", Wait.done, final=True),
        State("implemented", "Gennemført", "Implemented"),
        State("closed", "Lukket", "Closed", Wait.done, final=True),
        State("withdrawn", "Trukket tilbage", "Withdrawn", Wait.done, final=True),
    ),
    actions=(
        Action("edit", ("draft",), None, APPLICANTS, "Redigér", "Edit", requires=Edit),
        Action("submit", ("draft",), "submitted", APPLICANTS, "Indsend", "Submit",
               guards=(guards.is_described, guards.has_moves_if_economic, guards.is_balanced), notifies=("secretariat",),
               effects=("check_budget_moves",)),
        Action("start_screening", ("submitted",), "screening", SECRETARIAT, "Start screening", "Start screening"),
        Action("start_consultation", ("screening",), "consultation", SECRETARIAT, "Send i høring",
               "Start consultation", requires=schemas.Screening, guards=(guards.keeps_lbf_approval,),
               notifies=("local_group",), effects=("screen",)),
        Action("respond", ("consultation",), None, (Role.local_group_member, Role.secretariat), "Afgiv høringssvar",
               "Respond to consultation", requires=schemas.Statement),
        Action("close_consultation", ("consultation",), "ready_for_decision", SECRETARIAT, "Afslut høring",
               "Close consultation"),
        Action("mark_ready", ("screening",), "ready_for_decision", SECRETARIAT, "Klar til beslutning",
               "Mark ready for decision", requires=schemas.Screening, guards=(guards.keeps_lbf_approval,),
               effects=("screen",)),
        Action("schedule", ("ready_for_decision",), "scheduled", SECRETARIAT, "Sæt på dagsorden", "Schedule",
               requires=schemas.Schedule, notifies=("deciding_board",)),
        *decision_round(voting="scheduled", approved="approved", returned="returned",
                        postponed_to="ready_for_decision", voters=(Role.deciding_party_member,)),
        Action("revise", ("returned",), "draft", APPLICANTS, "Genoptag kladde", "Revise"),
        Action("send_to_lbf", ("approved",), "awaiting_lbf", SECRETARIAT, "Send til LBF", "Send to LBF",
               guards=(guards.needs_lbf,)),
        *lbf_answers(waiting="awaiting_lbf", approved="lbf_approved", rejected="lbf_rejected", queried="lbf_queried"),
        Action("implement", ("approved", "lbf_approved"), "implemented", SECRETARIAT, "Gennemfør", "Implement",
               guards=(guards.is_cleared_by_lbf,), effects=("apply_budget_moves",), notifies=("applicant",)),
        Action("close", ("implemented",), "closed", SECRETARIAT, "Luk sag", "Close"),
        Action("withdraw", (*BEFORE_DECISION, "returned"), "withdrawn", APPLICANTS, "Træk tilbage", "Withdraw",
               notifies=("secretariat",), abandons=True),
    ),
    deadlines=(
        Deadline("screening", "submitted", ("submitted", "screening"), DeadlineKind.service_target, working_days=10),
        Deadline("consultation", "consultation", ("consultation",), DeadlineKind.service_target, working_days=10),
        Deadline("lbf_reply", "awaiting_lbf", ("awaiting_lbf",), DeadlineKind.external_body, calendar_days=30,
                 escalate_after_days=45),
    ),
)  # fmt: skip
