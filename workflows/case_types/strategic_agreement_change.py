"""Ændring af strategisk samarbejdsaftale: the City must agree too; the central board is informed (§4.2)."""

from pydantic import Field

from workflows import guards, schemas
from workflows.blocks import APPLICANTS, SECRETARIAT, decision_round, lbf_answers
from workflows.spec import Action, Deadline, DeadlineKind, GrantWindow, LbfPolicy, Role, State, Wait, Workflow


class AgreementChangeData(schemas.Strict):
    change_description: str = Field(min_length=1, max_length=20_000)
    agreement_summary: str = Field(default="", max_length=20_000, description="The agreement's text as changed")
    amends_version: int | None = Field(
        default=None, ge=0, le=schemas.MAX_ID, description="The agreement version it amends; set when opened"
    )


WORKFLOW = Workflow(
    key="strategic_agreement_change",
    da="Ændring af strategisk samarbejdsaftale",
    en="Strategic-agreement change",
    subject="plan",
    initial="draft",
    creators=APPLICANTS,
    data_schema=AgreementChangeData,
    decided_in=("approved", "rejected", "central_board_informed", "awaiting_lbf", "lbf_queried", "lbf_approved",
                "lbf_rejected", "in_force"),
    lbf=LbfPolicy.always,
    grant_window=GrantWindow.running,
    open_guards=(guards.has_live_grant, guards.is_only_open_change),
    open_effects=("note_agreement_version",),
    city_veto=True,
    states=(
        State("draft", "Kladde", "Draft"),
        State("submitted", "Indsendt", "Submitted"),
        State("screening", "Under screening", "Screening"),
        State("consultation", "I høring", "In consultation", Wait.parties),
        State("ready_for_decision", "Klar til beslutning", "Ready for decision", Wait.meeting),
        State("scheduled", "Sat på dagsorden", "Scheduled", Wait.meeting),
        State("returned", "Sendt tilbage", "Returned"),
        State("approved", "Godkendt i bydelsbestyrelsen", "Approved by the district board"),
        State("rejected", "Afvist", "Rejected", Wait.done, final=True),
        State("central_board_informed", "Boligsocial Bestyrelse orienteret", "Central board informed"),
        State("awaiting_lbf", "Afventer LBF", "Awaiting LBF", Wait.lbf),
        State("lbf_queried", "Spørgsmål fra LBF", "Queried by LBF"),
        State("lbf_approved", "Godkendt af LBF", "Approved by LBF"),
        State("lbf_rejected", "Afvist af LBF", "Rejected by LBF", Wait.done, final=True),
        State("in_force", "Trådt i kraft", "In force", Wait.done, final=True),
        State("withdrawn", "Trukket tilbage", "Withdrawn", Wait.done, final=True),
    ),
    actions=(
        Action("submit", ("draft",), "submitted", APPLICANTS, "Indsend", "Submit", notifies=("secretariat",)),
        Action("start_screening", ("submitted",), "screening", SECRETARIAT, "Start screening", "Start screening"),
        Action("start_consultation", ("screening",), "consultation", SECRETARIAT, "Send i høring",
               "Start consultation", notifies=("local_group",), effects=("screen",)),
        Action("respond", ("consultation",), None, (Role.local_group_member, Role.secretariat), "Afgiv høringssvar",
               "Respond to consultation", requires=schemas.Statement),
        Action("close_consultation", ("consultation",), "ready_for_decision", SECRETARIAT, "Afslut høring",
               "Close consultation"),
        Action("mark_ready", ("screening",), "ready_for_decision", SECRETARIAT, "Klar til beslutning",
               "Mark ready for decision", effects=("screen",)),
        Action("schedule", ("ready_for_decision",), "scheduled", SECRETARIAT, "Sæt på dagsorden", "Schedule",
               requires=schemas.Schedule, notifies=("deciding_board",)),
        *decision_round(voting="scheduled", approved="approved", returned="returned",
                        postponed_to="ready_for_decision", voters=(Role.deciding_party_member, Role.city_member)),
        Action("revise", ("returned",), "draft", APPLICANTS, "Genoptag kladde", "Revise"),
        Action("inform_central_board", ("approved",), "central_board_informed", SECRETARIAT,
               "Orientér Boligsocial Bestyrelse", "Inform the central board", notifies=("central_board",),
               effects=("information_item",)),
        Action("send_to_lbf", ("central_board_informed",), "awaiting_lbf", SECRETARIAT, "Send til LBF",
               "Send to LBF"),
        *lbf_answers(waiting="awaiting_lbf", approved="lbf_approved", rejected="lbf_rejected", queried="lbf_queried"),
        Action("put_in_force", ("lbf_approved",), "in_force", SECRETARIAT, "Sæt i kraft", "Put in force",
               effects=("new_agreement_version",), notifies=("parties",)),
        Action("withdraw", ("draft", "submitted", "screening", "consultation", "ready_for_decision", "scheduled",
                            "returned"), "withdrawn", APPLICANTS, "Træk tilbage", "Withdraw", abandons=True),
    ),
    deadlines=(
        Deadline("screening", "submitted", ("submitted", "screening"), DeadlineKind.service_target, working_days=10),
        Deadline("consultation", "consultation", ("consultation",), DeadlineKind.service_target, working_days=10),
        Deadline("lbf_reply", "awaiting_lbf", ("awaiting_lbf",), DeadlineKind.external_body, calendar_days=30,
                 escalate_after_days=45),
    ),
)  # fmt: skip
