"""Flytning af beslutningskompetence: a plan's decisions move to the central board, or back (§4.5)."""

from typing import Literal

from workflows import guards, schemas
from workflows.blocks import SECRETARIAT, written_procedure
from workflows.labels import labelled
from workflows.spec import Action, Audience, Collect, Decider, Effect, GrantWindow, Outcome, Role, State, Wait, Workflow


class TransferData(schemas.Strict):
    direction: Literal["to_central", "to_district"] = labelled(
        "Retning",
        "Direction",
        default="to_central",
        choices={
            "to_central": ("Til Boligsocial Bestyrelse", "To the central board"),
            "to_district": ("Tilbage til bydelsbestyrelsen", "Back to the district board"),
        },
    )


PARTY = (Role.party_org, Role.secretariat)

WORKFLOW = Workflow(
    key="competence_transfer",
    da="Flytning af beslutningskompetence",
    en="Competence transfer",
    subject="plan",
    initial="requested",
    creators=(Role.party_org, Role.secretariat),
    data_schema=TransferData,
    decider=Decider.central_board,
    grant_window=GrantWindow.running,
    on_agenda="scheduled",
    open_guards=(guards.has_live_grant, guards.is_transfer_possible, guards.is_only_open_change),
    states=(
        State("requested", "Anmodet", "Requested", Wait.parties),
        State("consents_collected", "Samtykker indhentet", "Consents collected"),
        State("refused", "Afvist af en part", "Refused by a party", Wait.done, final=True),
        State("scheduled", "Sat på dagsorden", "Scheduled", Wait.meeting),
        State("accepted", "Godkendt af Boligsocial Bestyrelse", "Accepted by the central board"),
        State("effective", "Gennemført", "Effective", Wait.done, final=True),
        State("withdrawn", "Trukket tilbage", "Withdrawn", Wait.done, final=True),
    ),
    actions=(
        Action(
            "consent",
            ("requested",),
            None,
            PARTY,
            "Giv samtykke",
            "Consent",
            guards=(guards.acts_for_party, guards.has_source_if_recorded),
            requires=schemas.Organisation,
            on_behalf=True,
            collects=Collect.consent,
        ),
        Action(
            "refuse",
            ("requested",),
            "refused",
            PARTY,
            "Afvis",
            "Refuse",
            guards=(guards.acts_for_party, guards.has_source_if_recorded),
            requires=schemas.Organisation,
            notifies=(
                Audience.parties,
                Audience.secretariat,
            ),
            on_behalf=True,
        ),
        Action(
            "confirm_consents",
            ("requested",),
            "consents_collected",
            SECRETARIAT,
            "Bekræft samtykker",
            "Confirm consents",
            guards=(guards.has_all_consents,),
        ),
        Action(
            "schedule",
            ("consents_collected",),
            "scheduled",
            SECRETARIAT,
            "Sæt på dagsorden",
            "Schedule",
            requires=schemas.Schedule,
            notifies=(Audience.central_board,),
        ),
        Action(
            "accept",
            ("scheduled",),
            "accepted",
            SECRETARIAT,
            "Registrér godkendelse",
            "Record acceptance",
            notifies=(Audience.parties,),
            outcome=Outcome.approved,
        ),
        Action(
            "postpone",
            ("scheduled",),
            "consents_collected",
            SECRETARIAT,
            "Udsæt",
            "Postpone",
            postpones=True,
            optional=True,
            outcome=Outcome.postponed,
        ),
        Action(
            "make_effective",
            ("accepted",),
            "effective",
            SECRETARIAT,
            "Gennemfør flytning",
            "Make effective",
            guards=(guards.is_transfer_possible,),
            effects=(Effect.transfer_competence,),
            notifies=(
                Audience.parties,
                Audience.deciding_board,
            ),
        ),
        Action(
            "withdraw",
            ("requested", "consents_collected", "scheduled", "accepted"),
            "withdrawn",
            PARTY,
            "Træk tilbage",
            "Withdraw",
            abandons=True,
        ),
    ),
    deadlines=(written_procedure("scheduled"),),
)
