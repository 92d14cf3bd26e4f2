"""Delivering mails: through SMTP (smtplib, STARTTLS and login when configured), or kept in the database.

A sender first claims a batch (a lease in `claimed_until`, committed), then sends on one connection and marks
each mail sent with a conditional update (`WHERE sent_at IS NULL`) in its own short transaction. A mail whose
send failed waits with exponential backoff (`not_before`) and is tried again; a sender that died mid-batch
leaves its lease to expire, and the next sender takes the mails it had not marked. Each mail carries a stable
Message-ID, so the rare mail sent just before a crash and sent again can be recognised as one by the receiver.
"""

import smtplib
import ssl
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from sqlalchemy import func, or_, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.config import Settings
from service.persistence.case_tables import OutboxMessage
from service.persistence.db import session_scope, write_transaction
from service.persistence.notify_tables import Mail

MAILS = Mail.__table__  # type: ignore[attr-defined]
LAST_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 12  # about half a day of retries; then the mail waits for an operator (visible in /readyz)


@dataclass
class Delivered:
    sent: int = 0
    stored: int = 0
    failed: int = 0


def backoff(attempts: int, first: timedelta) -> timedelta:
    """`first`, then twice as long each time (30 s, 1 min, 2 min, ... by default), up to an hour between tries."""
    return min(first * (1 << max(attempts - 1, 0)), LAST_RETRY)


def claim(engine: Engine, *, now: datetime, limit: int, lease: timedelta) -> list[Mail]:
    """Take a batch of due mails for this sender: a lease, committed before anything is sent."""
    with session_scope(engine) as session:
        write_transaction(session)
        due = (
            select(Mail)
            .where(
                col(Mail.sent_at).is_(None),
                col(Mail.not_before) <= now,
                or_(col(Mail.claimed_until).is_(None), col(Mail.claimed_until) < now),
                Mail.attempts < MAX_ATTEMPTS,
            )
            .order_by(col(Mail.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        mails = list(session.exec(due).all())
        ids = [m.id for m in mails]
        if ids:
            session.connection().execute(
                update(MAILS).where(MAILS.c.id.in_(ids)).values(claimed_until=now + lease, attempts=MAILS.c.attempts + 1)
            )
        session.expunge_all()
        return mails


def mark(engine: Engine, mail: Mail, *, now: datetime, stored: bool = False) -> bool:
    """Record the mail as delivered, unless another sender did; True when this call did."""
    with session_scope(engine) as session:
        write_transaction(session)
        if session.get_bind().dialect.name == "postgresql":
            # Not worth a disk flush each: a mark lost in a crash resends one mail, whose Message-ID is the same.
            session.connection().execute(text("SET LOCAL synchronous_commit TO OFF"))
        done = session.connection().execute(
            update(MAILS).where(MAILS.c.id == mail.id, MAILS.c.sent_at.is_(None)).values(sent_at=now, stored=stored)
        )
        return bool(done.rowcount)


def failed(engine: Engine, mail: Mail, error: BaseException, *, now: datetime, first_retry: timedelta) -> None:
    """Release the mail to be tried again after a backoff, keeping why it failed."""
    with session_scope(engine) as session:
        write_transaction(session)
        session.connection().execute(
            update(MAILS)
            .where(MAILS.c.id == mail.id, MAILS.c.sent_at.is_(None))
            .values(
                claimed_until=None,
                not_before=now + backoff(mail.attempts + 1, first_retry),
                last_error=f"{type(error).__name__}: {error}"[:2000],
            )
        )


Render = Callable[[dict[str, Any]], tuple[str, bytes]]


def rendered(engine: Engine, now: datetime) -> Render:
    """Renders a mail's documents when it is sent (the members' agenda or minutes as a PDF), so none is stored twice."""

    def render(spec: dict[str, Any]) -> tuple[str, bytes]:
        from service.meetings.documents import members_pdf  # only mails about meetings need the PDF machinery

        with Session(engine) as session:
            return members_pdf(session, meeting_id=int(spec["meeting_id"]), minutes=bool(spec["minutes"]), now=now)

    return render


def message(mail: Mail, settings: Settings, render: Render | None = None) -> EmailMessage:
    email = EmailMessage()
    email["From"] = formataddr(("Boligsocial sekretariatet", settings.mail_from))
    email["To"] = mail.to_address
    email["Subject"] = mail.subject
    email["Message-ID"] = mail.message_id
    email["Date"] = format_datetime(mail.created_at.astimezone(UTC))
    email["Content-Language"] = mail.language
    email.set_content(mail.body_text)
    email.add_alternative(mail.body_html, subtype="html")
    for spec in mail.attachments:
        if render is not None:
            filename, data = render(spec)
            email.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return email


def connect(settings: Settings) -> smtplib.SMTP:
    """An SMTP connection to the configured relay, with STARTTLS and login when configured."""
    assert settings.smtp_host
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    if settings.smtp_starttls:
        smtp.starttls(context=ssl.create_default_context())
    if settings.smtp_user and settings.smtp_password:
        smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
    return smtp


def deliver(
    engine: Engine,
    settings: Settings,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    limit: int = 100,
    connection: Callable[[Settings], AbstractContextManager[smtplib.SMTP]] | None = None,
) -> Delivered:
    """Send (or keep, without SMTP) one batch of due mails."""
    done = Delivered()
    lease, retry = timedelta(seconds=settings.mail_lease_seconds), timedelta(seconds=settings.mail_retry_seconds)
    mails = claim(engine, now=now(), limit=limit, lease=lease)
    if not mails:
        return done
    if not settings.smtp_configured:
        done.stored = sum(mark(engine, m, now=now(), stored=True) for m in mails)
        return done
    pending, render = list(mails), rendered(engine, now())
    try:
        with (connection or connect)(settings) as smtp:
            while pending:
                mail = pending[0]
                try:
                    smtp.send_message(message(mail, settings, render))
                except smtplib.SMTPRecipientsRefused as error:  # this mail's address, not the relay: go on
                    failed(engine, mail, error, now=now(), first_retry=retry)
                    done.failed += 1
                else:
                    done.sent += mark(engine, mail, now=now())
                pending.pop(0)
    except (smtplib.SMTPException, OSError) as error:  # the relay is down or refused: all the rest wait and retry
        for mail in pending:
            failed(engine, mail, error, now=now(), first_retry=retry)
        done.failed += len(pending)
    return done


def backlog(session: Session) -> dict[str, object]:
    """What waits to be delivered, what keeps failing, and when a mail last went out (for /readyz and operators)."""
    unsent = col(Mail.sent_at).is_(None)
    waiting = session.exec(select(func.count()).select_from(Mail).where(unsent)).one()
    failing = session.exec(select(func.count()).select_from(Mail).where(unsent, col(Mail.last_error).is_not(None))).one()
    last = session.exec(select(func.max(Mail.sent_at))).one()
    outbox_unsent = col(OutboxMessage.sent_at).is_(None)
    outbox = session.exec(select(func.count()).select_from(OutboxMessage).where(outbox_unsent)).one()
    stuck = session.exec(
        select(func.count()).select_from(OutboxMessage).where(outbox_unsent, col(OutboxMessage.last_error).is_not(None))
    ).one()
    error = session.exec(
        select(Mail.last_error).where(unsent, col(Mail.last_error).is_not(None)).order_by(col(Mail.id).desc())
    ).first()
    return {
        "outbox": outbox,
        "stuck_outbox": stuck,
        "waiting": waiting,
        "failing": failing,
        "last_delivery": last,
        "last_error": error,
    }
