"""The register as thin SQLModel tables (domain.md §2); API schemas live in service/schemas.py.

Every table has an integer surrogate key and, where the domain has one, a stable natural `code`
("HP-10", "FSB", "BB-D5") that the demo register and integrations refer to.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Enum, UniqueConstraint
from sqlmodel import Field, SQLModel

# Named constraints, so that later migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def enum_type(enum: type[StrEnum]) -> Enum:
    """A portable enum column: VARCHAR on every backend, no native PostgreSQL type to migrate."""
    return Enum(enum, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])


class OrganisationKind(StrEnum):
    housing_organisation = "housing_organisation"
    administrator = "administrator"  # administrationsorganisation, runs housing organisations
    municipality = "municipality"  # Københavns Kommune
    administration = "administration"  # a City administration (forvaltning)
    secretariat = "secretariat"
    fund = "fund"  # Landsbyggefonden


class Competence(StrEnum):
    """Which board decides on a plan: its district board, or the central board after a transfer."""

    district = "district"
    central = "central"


class BoardKind(StrEnum):
    central = "central"
    district = "district"
    local = "local"


class Seat(StrEnum):
    chair = "chair"
    member = "member"
    attending = "attending"
    secretary = "secretary"
    resident = "resident"


class Funder(StrEnum):
    LBF = "LBF"
    KK = "KK"
    HOUSING = "HOUSING"


class DecisionRule(StrEnum):
    unanimity = "unanimity"
    majority = "majority"


class SystemRole(StrEnum):
    admin = "admin"
    analyst = "analyst"


class District(SQLModel, table=True):
    __tablename__ = "districts"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=200)


class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    kind: OrganisationKind = Field(sa_type=enum_type(OrganisationKind), index=True)
    # The administrator that runs a housing organisation's daily business (KAB runs SAB and AKB).
    administrator_id: int | None = Field(default=None, foreign_key="organisations.id")
    # What the organisation is part of: a City administration's municipality, the secretariat's host.
    parent_id: int | None = Field(default=None, foreign_key="organisations.id")
    in_saf: bool = False
    is_real: bool = False
    # A housing organisation's shared mailbox for one weekly list of its pending approvals (None: no weekly mail).
    weekly_digest_to: str | None = Field(default=None, max_length=320)


class ActivityArea(SQLModel, table=True):
    __tablename__ = "activity_areas"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=10, unique=True)
    name_da: str = Field(max_length=200)
    name_en: str = Field(max_length=200)


class Plan(SQLModel, table=True):
    __tablename__ = "plans"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=200)
    district_id: int = Field(foreign_key="districts.id", index=True)
    period_start: date
    period_end: date
    lead_organisation_id: int = Field(foreign_key="organisations.id")
    competence: Competence = Field(default=Competence.district, sa_type=enum_type(Competence))
    is_real: bool = False


class PlanParty(SQLModel, table=True):
    """A housing organisation named in the plan's grant: only these decide on the plan."""

    __tablename__ = "plan_parties"
    plan_id: int = Field(foreign_key="plans.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", primary_key=True)


class HousingDepartment(SQLModel, table=True):
    __tablename__ = "housing_departments"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    plan_id: int | None = Field(default=None, foreign_key="plans.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")


class Grant(SQLModel, table=True):
    __tablename__ = "grants"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plans.id", index=True)
    reference: str = Field(max_length=50, unique=True)
    granted_on: date | None = None


class GrantFunding(SQLModel, table=True):
    __tablename__ = "grant_fundings"
    grant_id: int = Field(foreign_key="grants.id", primary_key=True)
    funder: Funder = Field(sa_type=enum_type(Funder), primary_key=True)
    amount_dkk: int


class BudgetLine(SQLModel, table=True):
    __tablename__ = "budget_lines"
    __table_args__ = (UniqueConstraint("plan_id", "activity_area_id", "year", "funder"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plans.id", index=True)
    activity_area_id: int = Field(foreign_key="activity_areas.id")
    year: int
    funder: Funder = Field(sa_type=enum_type(Funder))
    amount_dkk: int


class Board(SQLModel, table=True):
    __tablename__ = "boards"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, unique=True)
    kind: BoardKind = Field(sa_type=enum_type(BoardKind))
    name: str = Field(max_length=200)
    district_id: int | None = Field(default=None, foreign_key="districts.id")
    plan_id: int | None = Field(default=None, foreign_key="plans.id")


class User(SQLModel, table=True):
    """A person who can log in; what they may do comes from employment, seats and assignments."""

    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    full_name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    system_role: SystemRole | None = Field(default=None, sa_type=enum_type(SystemRole))
    password_hash: str | None = Field(default=None, max_length=500)
    is_demo: bool = False
    is_active: bool = True
    # Bumped on logout, password change and deactivation: every cookie and token of an older generation is refused.
    session_generation: int = 0
    language: str = Field(default="da", max_length=2)  # of the UI and of mails: "da" or "en"
    daily_digest: bool = True  # one mail a working day with everything pending; False: each notice on its own
    # Topics (action names) mailed at once even with the daily digest on, e.g. ["approve", "record_lbf_approval"].
    immediate_topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    preferences_version: int = 0  # bumped on each change: a stale form gets a 409, not a silent overwrite


class Membership(SQLModel, table=True):
    """A seat on a board, representing one organisation; one row per organisation represented."""

    __tablename__ = "memberships"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    board_id: int = Field(foreign_key="boards.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    seat: Seat = Field(sa_type=enum_type(Seat))
    valid_from: date
    valid_to: date | None = None


class DesignationKind(StrEnum):
    business_manager = "business_manager"  # forretningsfører
    officer = "officer"  # an officer the organisation names to act for it


class Designation(SQLModel, table=True):
    """A person designated to act for a housing organisation (domain.md §3); board seats designate too."""

    __tablename__ = "designations"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    kind: DesignationKind = Field(sa_type=enum_type(DesignationKind))
    valid_from: date
    valid_to: date | None = None


class PlanAssignment(SQLModel, table=True):
    """A project leader assigned to a plan."""

    __tablename__ = "plan_assignments"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plans.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    valid_from: date
    valid_to: date | None = None


class MeetingStatus(StrEnum):
    planned = "planned"
    cancelled = "cancelled"  # kept, never deleted: agendas, votes and history may name it


class Meeting(SQLModel, table=True):
    """A board meeting (møde); its agenda items and minutes live in meeting_tables.py."""

    __tablename__ = "meetings"
    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="boards.id", index=True)
    starts_at: datetime
    location: str | None = Field(default=None, max_length=200)
    status: MeetingStatus = Field(
        default=MeetingStatus.planned, sa_type=enum_type(MeetingStatus), sa_column_kwargs={"server_default": "planned"}
    )
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})  # checked by every writer (409 if stale)
    agenda_confirmed_at: datetime | None = None
    agenda_sent_at: datetime | None = None
    minutes_finalised_at: datetime | None = None


class StrategicAgreement(SQLModel, table=True):
    """Strategisk samarbejdsaftale: one per plan, versioned; the newest in force applies."""

    __tablename__ = "strategic_agreements"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plans.id", index=True)
    version: int
    in_force_from: date | None = None
    superseded_on: date | None = None
    summary: str = ""


class Charter(SQLModel, table=True):
    """Kommissorium og forretningsorden of a district board, versioned; carries the decision rule."""

    __tablename__ = "charters"
    __table_args__ = (UniqueConstraint("board_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="boards.id", index=True)
    version: int
    decision_rule: DecisionRule = Field(default=DecisionRule.unanimity, sa_type=enum_type(DecisionRule))
    in_force_from: date | None = None
    superseded_on: date | None = None
    summary: str = ""


class SystemState(SQLModel, table=True):
    """Small facts about the installation: the demo marker, the worker's last heartbeat."""

    __tablename__ = "system_state"
    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(max_length=2000)
    updated_at: datetime
