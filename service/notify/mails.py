"""Mails from notices: one at once (urgent, or a topic the person chose), or one daily digest per person.

A mail says what happened or what waits, links straight to the case page (after login), and says why the person
gets it. Danish, or English when the person chose it; plain text and HTML from the same templates' data.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from service.config import Settings
from service.persistence.case_tables import Case, CaseDeadline, DeadlineStatus
from service.persistence.notify_tables import Mail, MailKind, Notice, NoticeKind
from service.persistence.tables import Board, Meeting, User
from workflows import calendar
from workflows.registry import WORKFLOWS

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
MAILS = Mail.__table__  # type: ignore[attr-defined]
NOTICES = Notice.__table__  # type: ignore[attr-defined]

KIND_WORDS = {
    NoticeKind.event: ("Nyt på sagen", "News on the case"),
    NoticeKind.reminder: ("Påmindelse", "Reminder"),
    NoticeKind.escalation: ("Eskalering", "Escalation"),
    NoticeKind.report: ("Indberetning til LBF", "Report to LBF"),
    NoticeKind.meeting: ("Møde", "Meeting"),
}


@dataclass(frozen=True)
class Item:
    """One line of a mail: a notice about a case, in the reader's language."""

    kind: str
    what: str
    reference: str
    title: str
    link: str
    why: str
    urgent: bool
    due: str | None
    opens: str = ""  # the link's words: "Åbn sagen", "Åbn mødet"


def long_date(day: date, language: str) -> str:
    return format_date(day, format="long", locale=language)


def topic_label(case: Case, topic: str, language: str) -> str:
    """The action or deadline a notice is about, as the reader knows it."""
    workflow = WORKFLOWS[case.case_type]
    action = workflow.action(topic)
    if action is not None:
        return action.da if language == "da" else action.en
    deadline = next((d for d in workflow.deadlines if d.name == topic), None)
    return (deadline.da if language == "da" else deadline.en) if deadline else topic


MEETING_TOPICS = {"agenda_sent": ("Dagsorden", "Agenda"), "minutes_finalised": ("Referat", "Minutes")}


def meeting_item(session: Session, notice: Notice, language: str, base_url: str) -> Item:
    """A line about a meeting: its agenda sent or its minutes finalised, linking to the meeting's page."""
    meeting = session.get(Meeting, notice.meeting_id)
    assert meeting is not None
    board = session.get(Board, meeting.board_id)
    day = long_date(meeting.starts_at.astimezone(calendar.LOCAL).date(), language)
    words = MEETING_TOPICS.get(notice.topic, (notice.topic, notice.topic))
    return Item(
        kind=KIND_WORDS[NoticeKind.meeting][0 if language == "da" else 1],
        what=words[0 if language == "da" else 1],
        reference=day,
        title=board.name if board else "",
        link=f"{base_url.rstrip('/')}/moeder/{meeting.id}",
        why=notice.reason if language == "da" else notice.reason_en,
        urgent=notice.urgent,
        due=None,
        opens="Åbn mødet" if language == "da" else "Open the meeting",
    )


def item(session: Session, notice: Notice, language: str, base_url: str) -> Item:
    if notice.meeting_id is not None:
        return meeting_item(session, notice, language, base_url)
    case = session.get(Case, notice.case_id) if notice.case_id else None
    due = None
    if case is not None and notice.kind in (NoticeKind.reminder, NoticeKind.escalation):
        row = session.exec(
            select(CaseDeadline).where(CaseDeadline.case_id == case.id, CaseDeadline.name == notice.topic)
        ).first()
        due = long_date(row.due_on, language) if row else None
    kind = KIND_WORDS[notice.kind][0 if language == "da" else 1]
    return Item(
        kind=kind,
        what=topic_label(case, notice.topic, language) if case else notice.topic,
        reference=case.reference if case else "",
        title=case.title if case else "",
        link=f"{base_url.rstrip('/')}/sager/{case.id}" if case else base_url,
        why=notice.reason if language == "da" else notice.reason_en,
        urgent=notice.urgent,
        due=due,
        opens="Åbn sagen" if language == "da" else "Open the case",
    )


def render(kind: MailKind, language: str, **context: Any) -> tuple[str, str]:
    """The plain-text and HTML bodies of a mail."""
    context = {"da": language == "da", **context}
    text = TEMPLATES.get_template(f"{kind.value}.txt").render(**context)
    html = TEMPLATES.get_template(f"{kind.value}.html").render(**context)
    return text, html


def new_mail(
    session: Session,
    *,
    user: User | None,
    to: str,
    kind: MailKind,
    language: str,
    subject: str,
    bodies: tuple[str, str],
    now: datetime,
    settings: Settings,
    attachments: list[dict[str, Any]] | None = None,
) -> int:
    """Store a composed mail with a stable Message-ID (a receiver can recognise a duplicate); its id."""
    domain = urlsplit(settings.base_url).hostname or "boligsocial"
    row = dict(
        user_id=user.id if user else None,
        to_address=to,
        kind=kind.value,
        language=language,
        subject=subject[:300],
        body_text=bodies[0],
        body_html=bodies[1],
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        created_at=now,
        not_before=now,
        attachments=attachments or [],
    )
    return int(session.connection().execute(insert(MAILS).returning(MAILS.c.id), row).scalar_one())


def waiting(session: Session, *, now: datetime, immediate: bool) -> list[tuple[Notice, User]]:
    query = (
        select(Notice, User)
        .join(User, col(User.id) == col(Notice.user_id))
        .where(col(Notice.mail_id).is_(None), Notice.immediate == immediate, col(Notice.deliver_after) <= now)
        .order_by(col(Notice.user_id), col(Notice.id))
    )
    return list(session.exec(query).all())


def mail_to(
    session: Session,
    user: User,
    notices: list[Notice],
    kind: MailKind,
    subject: str,
    bodies: tuple[str, str],
    now: datetime,
    settings: Settings,
    attachments: list[dict[str, Any]] | None = None,
) -> None:
    """Store the person's mail and mark the notices it carries as mailed."""
    mail_id = new_mail(
        session,
        user=user,
        to=user.email,
        kind=kind,
        language=user.language,
        subject=subject,
        bodies=bodies,
        now=now,
        settings=settings,
        attachments=attachments,
    )
    ids = [n.id for n in notices]
    session.connection().execute(update(NOTICES).where(NOTICES.c.id.in_(ids)).values(mail_id=mail_id))


def compose_immediate(session: Session, *, now: datetime, settings: Settings) -> int:
    """One mail per notice that is due at once; how many mails (the caller commits)."""
    count = 0
    for notice, user in waiting(session, now=now, immediate=True):
        language = user.language
        line = item(session, notice, language, settings.base_url)
        subject = f"{'[HASTER] ' if line.urgent else ''}{line.kind}: {line.what} – {line.reference} {line.title}"
        bodies = render(MailKind.single, language, user=user, item=line)
        meeting = notice.meeting_id
        documents = [{"meeting_id": meeting, "minutes": notice.topic == "minutes_finalised"}] if meeting else None
        mail_to(session, user, [notice], MailKind.single, subject, bodies, now, settings, documents)
        count += 1
    return count


def deadline_lines(session: Session, case_ids: set[int], language: str, base_url: str) -> list[dict[str, str]]:
    """The open deadlines of these cases, soonest first, as digest lines."""
    rows = session.exec(
        select(CaseDeadline, Case)
        .join(Case, col(Case.id) == col(CaseDeadline.case_id))
        .where(col(CaseDeadline.case_id).in_(case_ids), CaseDeadline.status == DeadlineStatus.open)
        .order_by(col(CaseDeadline.due_on), col(CaseDeadline.id))
    )
    return [
        dict(
            due=long_date(deadline.due_on, language),
            what=topic_label(case, deadline.name, language),
            reference=case.reference,
            link=f"{base_url.rstrip('/')}/sager/{case.id}",
            paused="ja" if deadline.paused_since else "",
        )
        for deadline, case in rows
    ]


def compose_digests(session: Session, *, now: datetime, settings: Settings) -> int:
    """One digest per person with notices waiting for it, listing them and the person's open deadlines."""
    by_user: dict[int, tuple[User, list[Notice]]] = {}
    for notice, user in waiting(session, now=now, immediate=False):
        by_user.setdefault(user.id or 0, (user, []))[1].append(notice)
    for user, notices in by_user.values():
        language = user.language
        items = [item(session, n, language, settings.base_url) for n in notices]
        due = deadline_lines(session, {n.case_id for n in notices if n.case_id}, language, settings.base_url)
        count = len(items)
        da = f"Dagens overblik: {count} {'ny besked' if count == 1 else 'nye beskeder'}"
        subject = da if language == "da" else f"Your daily summary: {count} new {'item' if count == 1 else 'items'}"
        inbox = f"{settings.base_url.rstrip('/')}/opgaver"
        bodies = render(MailKind.digest, language, user=user, items=items, due=due, inbox=inbox)
        mail_to(session, user, notices, MailKind.digest, subject, bodies, now, settings)
    return len(by_user)
