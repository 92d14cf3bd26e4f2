"""What clients send about meetings and what they get back (MeetingCreate / MeetingUpdate / MeetingDetail)."""

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from service.persistence.meeting_tables import ItemKind
from service.schemas import MeetingPublic, Ref
from workflows import spec
from workflows.schemas import MAX_ID, VoteChoice

Id = Field(ge=1, le=MAX_ID)
Outcome = spec.Outcome | Literal[spec.PointResult.noted]  # information and discussion items are taken to note
PointResult = spec.PointResult


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MeetingCreate(Strict):
    board_id: int = Id
    starts_at: AwareDatetime = Field(description="With its time zone, e.g. 2017-03-07T16:00:00+01:00")
    location: str | None = Field(default=None, max_length=200)


class MeetingUpdate(Strict):
    expected_version: int = Field(ge=1, le=MAX_ID)
    starts_at: AwareDatetime | None = None
    location: str | None = Field(default=None, max_length=200)


class AgendaRequest(Strict):
    case_id: int = Id
    kind: ItemKind = ItemKind.decision
    expected_version: int | None = Field(default=None, ge=1, le=MAX_ID, description="The meeting's version, if known")


class AgendaOrder(Strict):
    expected_version: int = Field(ge=1, le=MAX_ID)
    case_ids: list[int] = Field(max_length=200, description="The items' cases in their new order")


class MeetingAct(Strict):
    expected_version: int = Field(ge=1, le=MAX_ID)


class ItemUpdate(Strict):
    expected_version: int = Field(ge=1, le=MAX_ID, description="The meeting's version")
    kind: ItemKind | None = None
    proposal: list[str] | None = Field(default=None, min_length=1, max_length=20, description='"at ..." points')
    presentation: str | None = Field(default=None, max_length=20_000)
    public: bool | None = None
    closed_reason: str | None = Field(default=None, max_length=200)
    closed_documents: list[int] | None = Field(default=None, max_length=100, description="Bilag left out in public")


class VoteRequest(Strict):
    organisation_id: int = Id
    vote: VoteChoice
    comment: str = Field(default="", max_length=10_000)


class PointDecision(Strict):
    number: int = Field(ge=1, le=20)
    result: PointResult
    text: str = Field(default="", max_length=5_000, description="The point as changed, for approved_as_changed")


class DecisionRequest(Strict):
    outcome: Outcome
    comment: str = Field(default="", max_length=10_000)
    points: list[PointDecision] | None = Field(default=None, max_length=20)


class AttachmentPublic(BaseModel):
    document_id: int
    filename: str
    public: bool


class BallotPublic(BaseModel):
    """An organisation's vote in a decision round, as the history has it."""

    organisation: str
    vote: VoteChoice
    by: str | None = Field(description="Who cast or recorded it (full name); None for the service")
    at: datetime
    comment: str = ""


class StatementPublic(BaseModel):
    """An advisory statement given in a decision round (City members give statements, they do not vote)."""

    by: str | None
    organisations: list[str] = Field(description="The organisations the author represents on the deciding board")
    text: str
    at: datetime


class ItemPublic(BaseModel):
    number: int
    case_id: int | None
    reference: str | None
    kind: ItemKind
    title: str
    proposal: list[str]
    presentation: str
    economy: str
    attachments: list[AttachmentPublic]
    public: bool
    closed_reason: str | None
    state: str | None
    votes: dict[str, str] = {}
    statements: list[StatementPublic] = []
    outcome: str | None = None
    points: list[PointDecision] = []
    decision_text: str = ""
    decided_at: datetime | None = None


class WrittenVote(Strict):
    organisation: str = Field(max_length=20, description="Code of the party organisation you vote for, e.g. FSB")
    vote: VoteChoice
    comment: str = Field(default="", max_length=10_000)


class WrittenStatement(Strict):
    text: str = Field(min_length=1, max_length=10_000)


class ProcedurePublic(BaseModel):
    """A case in written procedure as a board member reads it, and what the reader may still do there."""

    case_id: int
    reference: str
    title: str
    case_type: str
    version: int
    board: Ref
    plan: Ref | None
    due_on: date = Field(description="The last day for replies (5 working days after it was sent)")
    lapsed: bool = Field(description="The deadline has passed: the round closes at the next deadline sweep")
    voters: list[str] = Field(description="The organisations that vote: the plan's parties (and the City on a veto)")
    ballots: list[BallotPublic]
    statements: list[StatementPublic]
    proposal: list[str] = Field(description='The indstilling as "at ..." points')
    presentation: str
    economy: str
    represents: list[str] = Field(description="Of the voters, the organisations the reader votes for")
    may_vote_for: list[str] = Field(description="Of those, the ones that have not voted yet")
    may_state: bool = Field(description="The reader may give an advisory statement")


class ProposedPublic(BaseModel):
    case_id: int
    reference: str
    title: str
    kind: ItemKind


class ApprovalPublic(BaseModel):
    user: Ref
    approved_at: datetime
    withdrawn_at: datetime | None


class MeetingDetail(MeetingPublic):
    day: date
    agenda_cutoff: date
    agenda_send_on: date
    agenda_confirmed_at: datetime | None
    agenda_sent_at: datetime | None
    minutes_finalised_at: datetime | None
    sees_agenda: bool = Field(description="False for users who are neither secretariat nor members of the board")
    items: list[ItemPublic]
    proposed: list[ProposedPublic]
    approvals: list[ApprovalPublic]
