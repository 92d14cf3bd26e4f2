"""Kommissorium og forretningsorden of a district board: central-board approval, then LBF's (§4.3)."""

from typing import Literal

from workflows import schemas
from workflows.blocks import SECRETARIAT, lbf_answers, lbf_reply, written_procedure
from workflows.labels import labelled
from workflows.spec import Action, Audience, Decider, Effect, LbfPolicy, Outcome, Role, State, Wait, Workflow

Rule = Literal["unanimity", "majority"]
RULES = {"unanimity": ("Enstemmighed", "Unanimity"), "majority": ("Flertal", "Majority")}
RULE = ("Beslutningsregel", "Decision rule")
SUMMARY = ("Resumé", "Summary")


class CharterData(schemas.Strict):
    decision_rule: Rule = labelled(*RULE, default="unanimity", choices=RULES)
    summary: str = labelled(*SUMMARY, default="", max_length=20_000)


class Edit(schemas.Strict):
    decision_rule: Rule | None = labelled(*RULE, default=None, choices=RULES)
    summary: str | None = labelled(*SUMMARY, default=None, max_length=20_000)


CENTRAL = (Role.central_member, Role.secretariat)

WORKFLOW = Workflow(
    key="charter",
    da="Kommissorium og forretningsorden",
    en="Charter",
    subject="board",
    initial="draft",
    creators=SECRETARIAT,
    data_schema=CharterData,
    decider=Decider.central_board,
    lbf=LbfPolicy.always,
    on_agenda="scheduled",
    states=(
        State("draft", "Kladde", "Draft"),
        State("district_board_consulted", "Drøftet i bydelsbestyrelsen", "District board consulted"),
        State(
            "submitted_to_central_board", "Sendt til Boligsocial Bestyrelse", "Submitted to the central board", Wait.meeting
        ),
        State("scheduled", "Sat på dagsorden", "Scheduled", Wait.meeting),
        State("returned", "Sendt tilbage", "Returned"),
        State("central_approved", "Godkendt af Boligsocial Bestyrelse", "Approved by the central board"),
        State("sent_to_lbf", "Sendt til LBF", "Sent to LBF", Wait.lbf),
        State("lbf_approved", "Godkendt af LBF", "Approved by LBF"),
        State("lbf_returned", "Sendt tilbage af LBF", "Returned by LBF"),
        State("in_force", "Trådt i kraft", "In force", Wait.done, final=True),
        State("withdrawn", "Trukket tilbage", "Withdrawn", Wait.done, final=True),
    ),
    actions=(
        Action("edit", ("draft",), None, SECRETARIAT, "Redigér", "Edit", requires=Edit, effects=(Effect.update_data,)),
        Action(
            "consult_district_board",
            ("draft",),
            "district_board_consulted",
            SECRETARIAT,
            "Drøft i bydelsbestyrelsen",
            "Consult the district board",
        ),
        Action(
            "submit_to_central_board",
            ("draft", "district_board_consulted"),
            "submitted_to_central_board",
            SECRETARIAT,
            "Send til Boligsocial Bestyrelse",
            "Submit to the central board",
        ),
        Action(
            "schedule",
            ("submitted_to_central_board",),
            "scheduled",
            SECRETARIAT,
            "Sæt på dagsorden",
            "Schedule",
            requires=schemas.Schedule,
            notifies=(Audience.central_board,),
        ),
        Action(
            "give_statement",
            ("scheduled",),
            None,
            CENTRAL,
            "Afgiv udtalelse",
            "Give statement",
            requires=schemas.Statement,
            optional=True,
        ),
        Action(
            "approve",
            ("scheduled",),
            "central_approved",
            SECRETARIAT,
            "Registrér godkendelse",
            "Record approval",
            outcome=Outcome.approved,
        ),
        Action(
            "send_back",
            ("scheduled",),
            "returned",
            SECRETARIAT,
            "Send tilbage",
            "Send back",
            optional=True,
            outcome=Outcome.returned,
        ),
        Action(
            "postpone",
            ("scheduled",),
            "submitted_to_central_board",
            SECRETARIAT,
            "Udsæt",
            "Postpone",
            postpones=True,
            optional=True,
            outcome=Outcome.postponed,
        ),
        Action("revise", ("returned", "lbf_returned"), "draft", SECRETARIAT, "Genoptag kladde", "Revise"),
        Action("send_to_lbf", ("central_approved",), "sent_to_lbf", SECRETARIAT, "Send til LBF", "Send to LBF"),
        *lbf_answers(waiting="sent_to_lbf", approved="lbf_approved", rejected="lbf_returned", queried=None),
        Action(
            "put_in_force",
            ("lbf_approved",),
            "in_force",
            SECRETARIAT,
            "Sæt i kraft",
            "Put in force",
            effects=(Effect.new_charter_version,),
            notifies=(Audience.deciding_board,),
        ),
        Action(
            "withdraw",
            ("draft", "district_board_consulted", "submitted_to_central_board", "returned", "lbf_returned"),
            "withdrawn",
            SECRETARIAT,
            "Træk tilbage",
            "Withdraw",
            abandons=True,
        ),
    ),
    deadlines=(written_procedure("scheduled"), lbf_reply("sent_to_lbf")),
)
