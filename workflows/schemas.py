"""Shapes of case data and action input shared by several case types (validated before any guard runs)."""

from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
AreaCode = Field(default=None, pattern=r"^[A-Z]{2}$", description="An activity area code, e.g. UB")
Funder = Literal["LBF", "KK", "HOUSING"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BudgetMove(Strict):
    """Move an amount from one budget line to another; a one-sided move changes the plan's total."""

    from_area: str | None = AreaCode
    from_year: int | None = Field(default=None, ge=2000, le=2100)
    from_funder: Funder | None = None
    to_area: str | None = AreaCode
    to_year: int | None = Field(default=None, ge=2000, le=2100)
    to_funder: Funder | None = None
    amount_dkk: PositiveInt

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

    meeting_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="The meeting where it was cast")
    document_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="The organisation's letter, attached")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.meeting_id is not None and self.document_id is not None:
            raise ValueError("name one source: meeting_id or document_id, not both")
        return self


class Vote(Source):
    organisation: str = Field(max_length=20, description="Code of the organisation the vote is cast for, e.g. FSB")
    vote: Literal["approve", "reject", "abstain"]


class Statement(Strict):
    text: str = Field(min_length=1, max_length=10_000)


class Schedule(Strict):
    meeting_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    written_procedure: bool = False

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        if (self.meeting_id is None) == (not self.written_procedure):
            raise ValueError("give either meeting_id or written_procedure: true, not both or neither")
        return self


class Screening(Strict):
    """The secretariat's assessment; LBF approval follows the default policy and can only be added to."""

    material: bool = False
    lbf_approval_needed: bool | None = None


class LbfReply(Strict):
    lbf_reference: str | None = Field(default=None, max_length=100)
    received_on: date | None = None


class Organisation(Source):
    organisation: str = Field(max_length=20, description="Code of the organisation you act for, e.g. FSB")
