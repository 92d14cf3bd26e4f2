"""API schemas, kept apart from the tables: what clients send and receive."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from service.persistence.tables import BoardKind, Competence, DecisionRule, Funder, MeetingStatus, OrganisationKind, Seat


class Ref(BaseModel):
    """A short reference to another register entry."""

    id: int
    code: str
    name: str


class DistrictPublic(Ref):
    board: Ref | None = None


class OrganisationPublic(Ref):
    name_en: str | None
    kind: OrganisationKind
    administrator: Ref | None
    parent: Ref | None
    in_saf: bool


class ActivityAreaPublic(BaseModel):
    id: int
    code: str
    name_da: str
    name_en: str


class PlanPublic(Ref):
    district: Ref
    period_start: date
    period_end: date
    lead_organisation: Ref
    parties: list[Ref]
    competence: Competence
    deciding_body: Ref
    is_real: bool


class BudgetLinePublic(BaseModel):
    year: int
    funder: Funder
    amount_dkk: int


class BudgetArea(BaseModel):
    activity_area: str
    name_da: str
    by_funder: dict[Funder, int]
    by_year: dict[int, int]
    total_dkk: int
    lines: list[BudgetLinePublic]


class BudgetMovePublic(BaseModel):
    activity_area: str
    year: int
    funder: Funder
    delta_dkk: int


class BudgetChangePublic(BaseModel):
    """An implemented economic change: the lines it moved, with the case that decided it."""

    case_id: int
    reference: str
    title: str
    at: datetime
    lines: list[BudgetMovePublic]


class ActsForPublic(BaseModel):
    """An organisation a user acts for, and why: a designation or a board seat representing it."""

    organisation: Ref
    basis: str = Field(description="business_manager, officer or board_representative")
    board: Ref | None = None


class GrantPublic(BaseModel):
    reference: str
    granted_on: date | None
    by_funder: dict[Funder, int]
    total_dkk: int


class AgreementPublic(BaseModel):
    version: int
    in_force_from: date | None
    summary: str


class DepartmentPublic(BaseModel):
    name: str
    organisation: Ref | None


class PlanDetail(PlanPublic):
    departments: list[DepartmentPublic]
    grant: GrantPublic | None
    budget: list[BudgetArea]
    budget_total_dkk: int
    budget_history: list[BudgetChangePublic]
    strategic_agreement: AgreementPublic | None
    project_leaders: list[Ref]


class BoardPublic(Ref):
    kind: BoardKind
    district: Ref | None
    plan: Ref | None


class SeatPublic(BaseModel):
    user: Ref
    seat: Seat
    represents: list[Ref]
    valid_from: date
    valid_to: date | None


class BoardSeatPublic(BaseModel):
    """A seat seen from the person: which board, which seat, whom they represent there."""

    board: Ref
    seat: Seat
    represents: list[Ref]
    valid_from: date
    valid_to: date | None


class MeetingPublic(BaseModel):
    id: int
    board: Ref
    starts_at: datetime
    location: str | None
    status: MeetingStatus = MeetingStatus.planned
    version: int = 1


class CharterPublic(BaseModel):
    version: int
    decision_rule: DecisionRule
    in_force_from: date | None


class BoardDetail(BoardPublic):
    members: list[SeatPublic]
    plans: list[Ref]
    charter: CharterPublic | None
    decision_rule: DecisionRule
    meetings: list[MeetingPublic]


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class MePublic(BaseModel):
    id: int
    username: str
    full_name: str
    email: str
    organisation: Ref | None
    system_role: str | None
    seats: list[BoardSeatPublic]
    project_leader_of: list[Ref]
    acts_for: list[ActsForPublic] = Field(description="Organisations the user is designated to act for (§3.1)")
