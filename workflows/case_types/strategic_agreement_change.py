"""Ændring af strategisk samarbejdsaftale: the City must agree too; the central board is informed (§4.2)."""

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


class AgreementChangeData(schemas.Strict):
    change_description: str = labelled(
        "Beskrivelse af ændringen", "Description of the change", min_length=1, max_length=20_000
    )
    agreement_summary: str = labelled(
        "Aftalens tekst efter ændringen", "The agreement as changed", default="", max_length=20_000
    )
    amends_version: int | None = labelled(
        "Ændrer aftalens version",
        "Amends agreement version",
        default=None,
        ge=0,
        le=schemas.MAX_ID,
        description="Set when the case is opened",
    )


WORKFLOW = Workflow(
    key="strategic_agreement_change",
    da="Ændring af strategisk samarbejdsaftale",
    en="Strategic-agreement change",
    subject="plan",
    initial="draft",
    creators=APPLICANTS,
    data_schema=AgreementChangeData,
    decided_in=(
        "approved",
        "rejected",
        "central_board_informed",
        "awaiting_lbf",
        "lbf_queried",
        "lbf_approved",
        "lbf_rejected",
        "in_force",
    ),
    lbf=LbfPolicy.always,
    grant_window=GrantWindow.running,
    open_guards=(guards.has_live_grant, guards.is_only_open_change),
    open_effects=(Effect.note_agreement_version,),
    city_veto=True,
    on_agenda="scheduled",
    local_group_sees=("consultation",),
    states=(
        State("draft", "Kladde", "Draft"),
        State("submitted", "Indsendt", "Submitted"),
        State("screening", "Under screening", "Screening"),
        State("consultation", "I høring", "In consultation", Wait.parties),
        State("ready_for_decision", "Klar til beslutning", "Ready for decision", Wait.meeting),
        *decision_states(voting="scheduled", approved=("Godkendt i bydelsbestyrelsen", "Approved by the district board")),
        State("central_board_informed", "Boligsocial Bestyrelse orienteret", "Central board informed"),
        *lbf_states(),
        State("in_force", "Trådt i kraft", "In force", Wait.done, final=True),
        State("withdrawn", "Trukket tilbage", "Withdrawn", Wait.done, final=True),
    ),
    actions=(
        Action("submit", ("draft",), "submitted", APPLICANTS, "Indsend", "Submit", notifies=(Audience.secretariat,)),
        Action("start_screening", ("submitted",), "screening", SECRETARIAT, "Start screening", "Start screening"),
        *screening_and_consultation(),
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
            voters=(Role.deciding_party_member, Role.city_member),
        ),
        Action("revise", ("returned",), "draft", APPLICANTS, "Genoptag kladde", "Revise"),
        Action(
            "inform_central_board",
            ("approved",),
            "central_board_informed",
            SECRETARIAT,
            "Orientér Boligsocial Bestyrelse",
            "Inform the central board",
            notifies=(Audience.central_board,),
            effects=(Effect.information_item,),
        ),
        Action("send_to_lbf", ("central_board_informed",), "awaiting_lbf", SECRETARIAT, "Send til LBF", "Send to LBF"),
        *lbf_answers(waiting="awaiting_lbf", approved="lbf_approved", rejected="lbf_rejected", queried="lbf_queried"),
        Action(
            "put_in_force",
            ("lbf_approved",),
            "in_force",
            SECRETARIAT,
            "Sæt i kraft",
            "Put in force",
            effects=(Effect.new_agreement_version,),
            notifies=(Audience.parties,),
        ),
        Action(
            "withdraw",
            ("draft", "submitted", "screening", "consultation", "ready_for_decision", "scheduled", "returned"),
            "withdrawn",
            APPLICANTS,
            "Træk tilbage",
            "Withdraw",
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
