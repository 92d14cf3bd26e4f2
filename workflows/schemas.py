"""Shapes of case data and action input shared by several case types (validated before any guard runs)."""

from datetime import date
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, PositiveInt, model_validator

from workflows.labels import labelled

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
Funder = Literal["LBF", "KK", "HOUSING"]
FUNDERS = {
    "LBF": ("LBF", "LBF"),
    "KK": ("Københavns Kommune", "City of Copenhagen"),
    "HOUSING": ("Boligorganisationerne", "Housing organisations"),
}
VoteChoice = Literal["approve", "reject", "abstain"]
VOTES = {"approve": ("For", "Approve"), "reject": ("Imod", "Reject"), "abstain": ("Undlader", "Abstain")}


def area(da: str, en: str) -> Any:
    return labelled(da, en, default=None, pattern=r"^[A-Z]{2}$", description="An activity area code, e.g. UB")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BudgetMove(Strict):
    """Move an amount from one budget line to another; a one-sided move changes the plan's total."""

    from_area: str | None = area("Fra indsatsområde", "From activity area")
    from_year: int | None = labelled("Fra år", "From year", default=None, ge=2000, le=2100)
    from_funder: Funder | None = labelled("Fra finansieringskilde", "From funder", default=None, choices=FUNDERS)
    to_area: str | None = area("Til indsatsområde", "To activity area")
    to_year: int | None = labelled("Til år", "To year", default=None, ge=2000, le=2100)
    to_funder: Funder | None = labelled("Til finansieringskilde", "To funder", default=None, choices=FUNDERS)
    amount_dkk: PositiveInt = labelled("Beløb (kr.)", "Amount (DKK)")

    @model_validator(mode="after")
    def _sides_complete(self) -> Self:
        for side in ("from", "to"):
            parts = [getattr(self, f"{side}_{p}") for p in ("area", "year", "funder")]
            if any(parts) and not all(parts):
                raise ValueError(f"the '{side}' line needs {side}_area, {side}_year and {side}_funder together")
        if not (self.from_area or self.to_area):
            raise ValueError("a move needs a 'from' line, a 'to' line or both")
        return self


class Comment(Strict):
    """No data beyond the comment."""


class Source(Strict):
    """Where an organisation's vote or consent recorded by the secretariat comes from (domain.md §3.1)."""

    meeting_id: int | None = labelled(
        "Møde", "Meeting", default=None, ge=1, le=MAX_ID, description="The meeting where it was cast"
    )
    document_id: int | None = labelled(
        "Organisationens brev (bilag)", "The organisation's letter (attachment)", default=None, ge=1, le=MAX_ID
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.meeting_id is not None and self.document_id is not None:
            raise ValueError("name one source: meeting_id or document_id, not both")
        return self


class Vote(Source):
    organisation: str = labelled(
        "Organisation", "Organisation", max_length=20, description="Code of the organisation the vote is cast for, e.g. FSB"
    )
    vote: VoteChoice = labelled("Stemme", "Vote", choices=VOTES)


class Statement(Strict):
    text: str = labelled("Tekst", "Text", min_length=1, max_length=10_000)


class Schedule(Strict):
    meeting_id: int | None = labelled("Møde", "Meeting", default=None, ge=1, le=MAX_ID)
    written_procedure: bool = labelled("Skriftlig behandling", "Written procedure", default=False)

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        if (self.meeting_id is None) == (not self.written_procedure):
            raise ValueError("give either meeting_id or written_procedure: true, not both or neither")
        return self


class Screening(Strict):
    """The secretariat's assessment; LBF approval follows the default policy and can only be added to."""

    material: bool = labelled("Væsentlig indholdsændring", "Material content change", default=False)
    lbf_approval_needed: bool | None = labelled("Kræver LBF's godkendelse", "Needs LBF approval", default=None)


class LbfReply(Strict):
    lbf_reference: str | None = labelled("LBF's journalnr.", "LBF reference", default=None, max_length=100)
    received_on: date | None = labelled("Modtaget", "Received on", default=None)


class Organisation(Source):
    organisation: str = labelled(
        "Organisation", "Organisation", max_length=20, description="Code of the organisation you act for, e.g. FSB"
    )
