"""Cases and what hangs off them: the append-only history, deadlines, the outbox and budget changes.

Durations are computed from `case_events` alone; no table here keeps a timestamp per state.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from service.persistence.tables import Funder, enum_type


def json_column() -> Any:
    return Column(JSON().with_variant(JSONB(), "postgresql"), nullable=False)


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_case_type_state", "case_type", "state"),)
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=30, unique=True)
    case_type: str = Field(max_length=50)
    state: str = Field(max_length=50)
    version: int = 1
    is_open: bool = Field(default=True, index=True)
    plan_id: int | None = Field(default=None, foreign_key="plans.id", index=True)
    board_id: int | None = Field(default=None, foreign_key="boards.id", index=True)
    deciding_board_id: int | None = Field(default=None, foreign_key="boards.id")
    title: str = Field(max_length=300)
    description: str = ""
    data: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    created_by_id: int | None = Field(default=None, foreign_key="users.id")


class CaseEvent(SQLModel, table=True):
    """One accepted action (or system event) on a case; never updated, never deleted."""

    __tablename__ = "case_events"
    __table_args__ = (
        UniqueConstraint("case_id", "seq"),
        UniqueConstraint("case_id", "idempotency_key"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    seq: int  # the case's version after this event
    at: datetime
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    acting_for_id: int | None = Field(default=None, foreign_key="organisations.id")
    action: str = Field(max_length=50)
    from_state: str | None = Field(default=None, max_length=50)
    to_state: str = Field(max_length=50)
    comment: str = ""
    data: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    idempotency_key: str | None = Field(default=None, max_length=200)
    # SHA-256 of the action and body that first used the key: a replay must send the same request.
    request_fingerprint: str | None = Field(default=None, max_length=64)


class DeadlineStatus(StrEnum):
    open = "open"
    met = "met"  # the case left the states the deadline runs in
    cancelled = "cancelled"


class CaseDeadline(SQLModel, table=True):
    __tablename__ = "case_deadlines"
    __table_args__ = (
        Index("ix_case_deadlines_status_due_on", "status", "due_on"),
        # The sweep's one query: open deadlines whose next reminder rung is due (an empty tick reads no row).
        Index("ix_case_deadlines_status_next_rung_on", "status", "next_rung_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    name: str = Field(max_length=50)
    kind: str = Field(max_length=30)
    status: DeadlineStatus = Field(default=DeadlineStatus.open, sa_type=enum_type(DeadlineStatus))
    due_on: date
    escalate_on: date | None = None
    rule: str = Field(max_length=200)  # how due_on was computed, e.g. "10 working days (DK public + optional)"
    opened_event_id: int = Field(foreign_key="case_events.id")
    closed_event_id: int | None = Field(default=None, foreign_key="case_events.id")
    # The reminder ladder (service.notify.rungs): the next rung and its day, computed when the deadline opens,
    # moves or fires; None when no rung is left. Paused deadlines keep their rung but the sweep skips them.
    next_rung: str | None = Field(default=None, max_length=30)
    next_rung_on: date | None = None
    paused_since: date | None = None
    # A rung that failed to fire (e.g. a recipient query broke): counted and kept, the sweep goes on with others.
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)


class OutboxMessage(SQLModel, table=True):
    """A notification written in the same transaction as its event and delivered after the commit.

    The audience ("deciding_board", "parties", ...) is resolved to people at delivery, from the register then.
    """

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    event_id: int = Field(foreign_key="case_events.id")
    topic: str = Field(max_length=50)
    audience: str = Field(max_length=50)
    created_at: datetime
    sent_at: datetime | None = Field(default=None, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)


class BudgetChange(SQLModel, table=True):
    """One line of an implemented economic change: the plan's budget history."""

    __tablename__ = "budget_changes"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plans.id", index=True)
    case_id: int = Field(foreign_key="cases.id")
    event_id: int = Field(foreign_key="case_events.id")
    activity_area_id: int = Field(foreign_key="activity_areas.id")
    year: int
    funder: Funder = Field(sa_type=enum_type(Funder))
    delta_dkk: int


class Visibility(StrEnum):
    """Who sees a comment or document: the secretariat and deciding board, or also the consultation's local group."""

    internal = "internal"
    shared = "shared"


class CaseComment(SQLModel, table=True):
    __tablename__ = "case_comments"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    author_id: int = Field(foreign_key="users.id")
    at: datetime
    body: str
    visibility: Visibility = Field(default=Visibility.internal, sa_type=enum_type(Visibility))


class CaseDocument(SQLModel, table=True):
    """An attachment; the bytes live under var_dir/documents by SHA-256, never under the client's name."""

    __tablename__ = "case_documents"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    uploaded_by_id: int = Field(foreign_key="users.id")
    at: datetime
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64, index=True)
    visibility: Visibility = Field(default=Visibility.internal, sa_type=enum_type(Visibility))


class LoginFailure(SQLModel, table=True):
    """A failed login, for throttling guessing per account and per address."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_at", "username", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100)
    address: str = Field(max_length=100)
    at: datetime


# The same tables for Core statements on the hot path of apply_action (no ORM unit-of-work bookkeeping).
CASES = SQLModel.metadata.tables["cases"]
CASE_EVENTS = SQLModel.metadata.tables["case_events"]
CASE_DEADLINES = SQLModel.metadata.tables["case_deadlines"]
OUTBOX = SQLModel.metadata.tables["outbox"]
