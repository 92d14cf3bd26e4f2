"""Notices: one thing to tell one person, made once per person and source, held through quiet hours."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

from service.config import Settings
from service.persistence.notify_tables import NoticeKind
from service.persistence.tables import User
from workflows import calendar

NOTICES = SQLModel.metadata.tables["notifications"]


@dataclass(frozen=True)
class Hours:
    """The working day's mail hours (Copenhagen time); outside them, on weekends and closing days, it is quiet."""

    starts: int = 7
    ends: int = 18

    @classmethod
    def of(cls, settings: Settings) -> "Hours":
        return cls(settings.mail_day_starts, settings.mail_day_ends)

    def deliver_after(self, now: datetime, *, urgent: bool = False) -> datetime:
        """`now` when urgent or inside the working day; else the next working morning."""
        local = now.astimezone(calendar.LOCAL)
        if urgent or (calendar.is_working_day(local.date()) and self.starts <= local.hour < self.ends):
            return now
        early_today = local.hour < self.starts and calendar.is_working_day(local.date())
        day = local.date() if early_today else calendar.next_working_day(local.date() + timedelta(days=1))
        return datetime.combine(day, time(self.starts), calendar.LOCAL).astimezone(UTC)


def insert_new(session: Session, table: Table, rows: list[dict[str, Any]], keys: list[str]) -> int:
    """Insert the rows whose unique `keys` are not taken yet (a retried or concurrent run adds nothing); how many."""
    if not rows:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=keys).returning(table.c.id)
    return len(session.connection().execute(statement, rows).all())


@dataclass(frozen=True)
class Notice:
    """What to tell: the case, kind, topic, the source that makes it unique, and why (Danish, English)."""

    case_id: int | None
    kind: NoticeKind
    topic: str
    source: str
    reason: tuple[str, str]
    urgent: bool = False
    meeting_id: int | None = None
    immediate: bool = False  # mailed on its own whatever the person chose (an agenda before its meeting)


def tell(session: Session, notice: Notice, people: list[User], *, now: datetime, hours: Hours) -> int:
    """One notice row per person, unless they have it already; mailed at once when urgent or chosen so."""
    after = hours.deliver_after(now, urgent=notice.urgent)
    rows = [
        dict(
            user_id=user.id,
            case_id=notice.case_id,
            meeting_id=notice.meeting_id,
            kind=notice.kind.value,
            topic=notice.topic,
            source=notice.source,
            reason=notice.reason[0][:300],
            reason_en=notice.reason[1][:300],
            urgent=notice.urgent,
            immediate=notice.urgent
            or notice.immediate
            or not user.daily_digest
            or notice.topic in (user.immediate_topics or []),
            created_at=now,
            deliver_after=after,
        )
        for user in people
    ]
    return insert_new(session, NOTICES, rows, ["user_id", "source"])
