"""Indberetning til LBF: a report a plan's housing organisation owes LBF, with its due date (§4.4)."""

from datetime import date
from typing import Literal

from workflows import guards, schemas
from workflows.blocks import APPLICANTS, SECRETARIAT, lbf_reply
from workflows.labels import labelled
from workflows.spec import (
    Action,
    Audience,
    Deadline,
    DeadlineKind,
    GrantWindow,
    LbfPolicy,
    Role,
    State,
    Wait,
    Workflow,
    Yearly,
)

Report = Literal["regulation_account", "goal_attainment", "milestone_plan", "status_report", "evaluation", "other"]


REPORTS = {
    "regulation_account": ("Reguleringskontoopgørelse", "Regulation account"),
    "goal_attainment": ("Målopfyldelsesskema", "Goal attainment"),
    "milestone_plan": ("Milepælsplan", "Milestone plan"),
    "status_report": ("Statusrapport", "Status report"),
    "evaluation": ("Evaluering", "Evaluation"),
    "other": ("Andet", "Other"),
}


class SubmissionData(schemas.Strict):
    report: Report = labelled("Indberetning", "Report", choices=REPORTS)
    period: str = labelled("Periode", "Period", min_length=4, max_length=20, description="The period reported on, e.g. 2015")
    due_date: date = labelled("Frist", "Due date")
    final: bool = labelled(
        "Slutrapport",
        "Final report",
        default=False,
        description="The plan's final report: once LBF accepts it, the grant is closed",
    )


PARTY = (Role.party_org, Role.secretariat)
BEFORE_SUBMISSION = ("scheduled", "in_preparation", "board_noted", "approved_by_housing_org")

WORKFLOW = Workflow(
    key="lbf_submission",
    da="Indberetning til LBF",
    en="Submission to LBF",
    subject="plan",
    initial="scheduled",
    creators=SECRETARIAT,
    data_schema=SubmissionData,
    lbf=LbfPolicy.always,
    grant_window=GrantWindow.until_final_report,
    open_guards=(guards.has_grant_until_final_report,),
    final_report_when=("final", "accepted"),
    # What every plan owes LBF for each calendar year of its grant. The regulation account is due six months
    # after the year (domain.md §4.4); the goal-attainment form and milestone plan go with it (stricter reading:
    # the regulation gives them no later date).
    yearly=tuple(
        Yearly({"report": report}, (6, 30), *REPORTS[report])
        for report in ("regulation_account", "goal_attainment", "milestone_plan")
    ),
    states=(
        State("scheduled", "Planlagt", "Scheduled"),
        State("in_preparation", "Under udarbejdelse", "In preparation"),
        State("board_noted", "Forelagt bydelsbestyrelsen", "Noted by the district board"),
        State("approved_by_housing_org", "Godkendt af boligorganisationen", "Approved by the housing organisation"),
        State("submitted_to_lbf", "Indsendt til LBF", "Submitted to LBF", Wait.lbf),
        State("queried", "Spørgsmål fra LBF", "Queried by LBF"),
        State("accepted", "Modtaget af LBF", "Accepted by LBF", Wait.done, final=True),
    ),
    actions=(
        Action("start_preparation", ("scheduled",), "in_preparation", APPLICANTS, "Start udarbejdelse", "Start preparation"),
        Action(
            "present_to_board",
            ("in_preparation",),
            "board_noted",
            SECRETARIAT,
            "Forelæg bydelsbestyrelsen",
            "Present to the district board",
            notifies=(Audience.deciding_board,),
        ),
        Action(
            "approve_submission",
            ("in_preparation", "board_noted"),
            "approved_by_housing_org",
            PARTY,
            "Godkend indberetning",
            "Approve the submission",
            guards=(guards.acts_for_party, guards.has_source_if_recorded),
            requires=schemas.Organisation,
            on_behalf=True,
        ),
        Action("submit_to_lbf", ("approved_by_housing_org",), "submitted_to_lbf", PARTY, "Indsend til LBF", "Submit to LBF"),
        Action(
            "record_acceptance",
            ("submitted_to_lbf",),
            "accepted",
            SECRETARIAT,
            "Registrér modtagelse",
            "Record acceptance",
            requires=schemas.LbfReply,
        ),
        Action(
            "record_lbf_query",
            ("submitted_to_lbf",),
            "queried",
            SECRETARIAT,
            "Registrér spørgsmål fra LBF",
            "Record LBF query",
            requires=schemas.LbfReply,
            notifies=(
                Audience.applicant,
                Audience.project_leaders,
            ),
        ),
        Action("resume", ("queried",), "in_preparation", APPLICANTS, "Genoptag", "Resume"),
    ),
    deadlines=(
        Deadline(
            "report_due",
            "scheduled",
            BEFORE_SUBMISSION,
            DeadlineKind.statutory,
            due_from_data="due_date",
            remind_before=(30, 14, 7, 0),  # LBF withholds payments when a report is late (domain.md §6)
            da="Indberetningsfrist",
            en="Report due",
        ),
        lbf_reply("submitted_to_lbf"),
    ),
)
