"""What reaches people: reminders fired (the ledger), notifications per person, and mails with their delivery.

The chain is: a case event's outbox row, or a deadline's reminder rung, becomes one `notifications` row per
person (unique per person and source, so a retried relay or sweep adds nothing); notifications become mails
(one at once, or many in a digest); the relay sends each mail once, marking it with a conditional update.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.persistence.tables import enum_type


class ReminderFired(SQLModel, table=True):
    """One rung of one deadline's reminder ladder, fired once: the unique key is the ledger."""

    __tablename__ = "reminder_ledger"
    __table_args__ = (UniqueConstraint("deadline_id", "rung"),)
    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="case_deadlines.id")
    rung: str = Field(max_length=30)  # e.g. "before_7", "due", "escalate_1"
    planned_on: date  # the day the rung was due
    fired_at: datetime
    recipients: int = 0


class Snooze(SQLModel, table=True):
    """A person's pause of the reminders for one deadline; the deadline itself does not move."""

    __tablename__ = "reminder_snoozes"
    __table_args__ = (UniqueConstraint("user_id", "deadline_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    deadline_id: int = Field(foreign_key="case_deadlines.id")
    until: date


class NoticeKind(StrEnum):
    event = "event"  # something happened on a case (from the outbox)
    reminder = "reminder"  # a deadline approaches or is due, and this person must act
    escalation = "escalation"  # a deadline passed without an answer
    report = "report"  # a scheduled LBF report was opened for a plan
    meeting = "meeting"  # a board's agenda was sent, or its minutes finalised


class Notice(SQLModel, table=True):
    """One thing to tell one person, waiting for its mail (at once, or in the next digest)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "source"),
        Index("ix_notifications_mail_id_deliver_after", "mail_id", "deliver_after"),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    meeting_id: int | None = Field(default=None, foreign_key="meetings.id")
    kind: NoticeKind = Field(sa_type=enum_type(NoticeKind))
    topic: str = Field(max_length=50)  # the action, or the deadline's name
    source: str = Field(max_length=80)  # "outbox:12", "rung:7:due": what caused it, once per person
    reason: str = Field(max_length=300)  # why this person gets it, in Danish ("Du er sekretariatet", ...)
    reason_en: str = Field(max_length=300)
    urgent: bool = False  # escalations: sent at once, whatever the hour and the person's digest choice
    immediate: bool = False  # mailed on its own (urgent, or a topic the person chose), not in the digest
    created_at: datetime
    deliver_after: datetime  # quiet hours: held to the next working morning unless urgent
    mail_id: int | None = Field(default=None, foreign_key="mails.id")


class MailKind(StrEnum):
    single = "single"
    digest = "digest"
    weekly = "weekly"  # a housing organisation's weekly list of pending approvals


class Mail(SQLModel, table=True):
    """A composed mail; `sent_at` is set once, by a conditional update, when SMTP accepted it (or it was stored)."""

    __tablename__ = "mails"
    __table_args__ = (Index("ix_mails_sent_at_not_before", "sent_at", "not_before"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    to_address: str = Field(max_length=320)
    kind: MailKind = Field(sa_type=enum_type(MailKind))
    language: str = Field(max_length=2)
    subject: str = Field(max_length=300)
    body_text: str
    body_html: str
    message_id: str = Field(max_length=200, unique=True)  # stable: a receiver can drop a duplicate
    # Documents rendered when the mail is sent, e.g. [{"meeting_id": 7, "minutes": false}] for the agenda as a PDF.
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    created_at: datetime
    not_before: datetime
    claimed_until: datetime | None = None  # a sender's lease; after it expires another may take the mail
    sent_at: datetime | None = None
    stored: bool = False  # no SMTP configured: kept here and shown under "Sendte mails"
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
