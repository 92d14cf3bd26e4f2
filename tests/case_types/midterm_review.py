"""Midtvejsevaluering: a test-only sixth case type, declared in this one file and nowhere else.

It proves the engine, API, UI and diagrams take everything from the declaration: `tests/cases/test_sixth_case_type.py`
registers it, opens a case over HTTP, takes it through a board's decision round and LBF's answer, and reads its
buttons and its diagram — with no line about it anywhere in `service/`.
"""

from typing import Literal

from workflows import schemas
from workflows.blocks import (
    APPLICANTS,
    SECRETARIAT,
    decision_round,
    decision_states,
    lbf_answers,
    lbf_reply,
    lbf_states,
)
from workflows.labels import labelled
from workflows.spec import Action, Audience, GrantWindow, LbfPolicy, Role, State, Wait, Workflow


class ReviewData(schemas.Strict):
    focus: Literal["goals", "economy"] = labelled(
        "Fokus", "Focus", choices={"goals": ("Mål", "Goals"), "economy": ("Økonomi", "Economy")}
    )
    findings: str = labelled("Resultater", "Findings", default="", max_length=20_000)


WORKFLOW = Workflow(
    key="midterm_review",
    da="Midtvejsevaluering",
    en="Midterm review",
    subject="plan",
    initial="draft",
    creators=APPLICANTS,
    data_schema=ReviewData,
    decided_in=("approved", "rejected", "awaiting_lbf", "lbf_queried", "lbf_approved", "lbf_rejected", "closed"),
    lbf=LbfPolicy.always,
    grant_window=GrantWindow.running,
    on_agenda="scheduled",
    states=(
        State("draft", "Kladde", "Draft"),
        State("ready_for_decision", "Klar til beslutning", "Ready for decision", Wait.meeting),
        *decision_states(voting="scheduled", approved=("Godkendt", "Approved")),
        *lbf_states(),
        State("closed", "Lukket", "Closed", Wait.done, final=True),
    ),
    actions=(
        Action(
            "submit", ("draft",), "ready_for_decision", APPLICANTS, "Indsend", "Submit", notifies=(Audience.secretariat,)
        ),
        Action(
            "schedule",
            ("ready_for_decision",),
            "scheduled",
            SECRETARIAT,
            "Sæt på dagsorden",
            "Schedule",
            requires=schemas.Schedule,
        ),
        *decision_round(
            voting="scheduled",
            approved="approved",
            returned="returned",
            postponed_to="ready_for_decision",
            voters=(Role.deciding_party_member,),
        ),
        Action("revise", ("returned",), "draft", APPLICANTS, "Genoptag kladde", "Revise"),
        Action("send_to_lbf", ("approved",), "awaiting_lbf", SECRETARIAT, "Send til LBF", "Send to LBF"),
        *lbf_answers(waiting="awaiting_lbf", approved="lbf_approved", rejected="lbf_rejected", queried="lbf_queried"),
        Action("close", ("lbf_approved",), "closed", SECRETARIAT, "Luk sag", "Close"),
    ),
    deadlines=(lbf_reply("awaiting_lbf"),),
)
