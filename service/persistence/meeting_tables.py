"""A meeting's agenda items (with their decisions), the members' approvals of the minutes, and meeting messages.

The decision of an item is the structured beslutning the minutes are built from; the case's own history gets the
engine's event for it (the meeting pages are a view onto the cases, never a second record of their state).
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from service.persistence.case_tables import json_column
from service.persistence.tables import enum_type


class ItemKind(StrEnum):
    decision = "decision"  # beslutningssag
    information = "information"  # orienteringssag
    discussion = "discussion"  # drøftelsessag


class AgendaItem(SQLModel, table=True):
    """One item of a meeting's agenda: the case presented, the indstilling as "at" points, and later its beslutning."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "case_id"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    position: int  # 2, 3, ...: item 1 of every meeting is the approval of the agenda
    kind: ItemKind = Field(sa_type=enum_type(ItemKind))
    title: str = Field(max_length=300)
    proposal: list[str] = Field(default_factory=list, sa_column=json_column())  # indstilling: "at ..." points
    presentation: str = ""  # sagsfremstilling
    economy: str = ""  # økonomi, where money moves
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column())  # bilag, each with "public"
    public: bool = True  # a closed item is left out of the public agenda and minutes
    closed_reason: str | None = Field(default=None, max_length=200)
    outcome: str | None = Field(default=None, max_length=30)  # approved, rejected, returned, postponed, noted
    points: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column())  # the beslutning per "at" point
    decision_text: str = ""
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")


class MinutesApproval(SQLModel, table=True):
    """A member's approval of the minutes, withdrawable until the secretariat finalises them."""

    __tablename__ = "minutes_approvals"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    user_id: int = Field(foreign_key="users.id")
    approved_at: datetime
    withdrawn_at: datetime | None = None


class MeetingMessage(SQLModel, table=True):
    """A notification about a meeting (the agenda sent, the minutes finalised), delivered after the commit.

    The case outbox needs a case and an event; a meeting's messages have neither, so they wait here in the same
    shape (audience resolved at delivery, sent_at, attempts) for the relay.
    """

    __tablename__ = "meeting_outbox"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    topic: str = Field(max_length=50)
    audience: str = Field(max_length=50)
    recipient_id: int | None = Field(default=None, foreign_key="users.id")
    data: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    created_at: datetime
    sent_at: datetime | None = Field(default=None, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
