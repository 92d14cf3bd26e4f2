"""Approving the minutes: each member approves (time-stamped) and may withdraw until the secretariat finalises."""

import hashlib
import uuid
from datetime import datetime

from sqlmodel import Session, col, select

from service.authz import Actor
from service.errors import Conflict, Forbidden
from service.meetings import access, documents
from service.persistence.case_tables import CaseDocument, Visibility
from service.persistence.db import write_transaction
from service.persistence.meeting_tables import AgendaItem, ItemKind, MeetingMessage, MinutesApproval
from service.persistence.tables import Meeting


def _open_minutes(session: Session, meeting_id: int, now: datetime) -> Meeting:
    write_transaction(session)
    meeting = access.get_meeting(session, meeting_id)
    access.check_planned(meeting)
    if meeting.starts_at > now:
        raise Conflict(
            f"The meeting on {access.when(meeting)} has not taken place: it has no minutes yet.",
            da=f"Mødet {access.when(meeting)} har ikke fundet sted: der er intet referat endnu.",
        )
    if meeting.minutes_finalised_at is not None:
        raise Conflict("The minutes are final.", da="Referatet er endeligt.", version=meeting.version)
    return meeting


def _member(session: Session, actor: Actor, meeting: Meeting, now: datetime) -> None:
    if meeting.board_id in actor.seats and not access.approves_minutes(session, actor, meeting, now):
        raise Forbidden(
            "You may not do this: you hold the board's secretary seat, and the secretary does not approve the minutes "
            "as a member.",
            da="Du må ikke gøre dette: du har bestyrelsens sekretærpost, og sekretæren godkender ikke referatet som medlem.",
        )
    if meeting.board_id not in actor.seats:
        raise Forbidden(
            "You may not do this: only the board's members approve its minutes.",
            da="Du må ikke gøre dette: kun bestyrelsens medlemmer godkender dens referat.",
        )


def approve(*, session: Session, actor: Actor, meeting_id: int, now: datetime) -> None:
    """The member's approval of the minutes, time-stamped (again, after a withdrawal)."""
    meeting = _open_minutes(session, meeting_id, now)
    _member(session, actor, meeting, now)
    row = session.exec(
        select(MinutesApproval).where(MinutesApproval.meeting_id == meeting_id, MinutesApproval.user_id == actor.user_id)
    ).first()
    if row is None:
        session.add(MinutesApproval(meeting_id=meeting_id, user_id=actor.person, approved_at=now))
    elif row.withdrawn_at is None:
        raise Conflict("You have already approved the minutes.", da="Du har allerede godkendt referatet.")
    else:
        row.approved_at, row.withdrawn_at = now, None
    session.commit()


def withdraw(*, session: Session, actor: Actor, meeting_id: int, now: datetime) -> None:
    """The member withdraws their own approval (only before the minutes are final)."""
    meeting = _open_minutes(session, meeting_id, now)
    _member(session, actor, meeting, now)
    row = session.exec(
        select(MinutesApproval).where(MinutesApproval.meeting_id == meeting_id, MinutesApproval.user_id == actor.user_id)
    ).first()
    if row is None or row.withdrawn_at is not None:
        raise Conflict(
            "You have no approval of these minutes to withdraw.", da="Du har ingen godkendelse at trække tilbage."
        )
    row.withdrawn_at = now
    session.commit()


def finalise(*, session: Session, actor: Actor, meeting_id: int, expected_version: int, now: datetime) -> None:
    """The secretariat finalises the minutes once every item is decided; the members are told (meeting_outbox) and
    each decided case gets the minutes as a document."""
    access.require_manager(actor)
    meeting = _open_minutes(session, meeting_id, now)
    access.check_version(meeting, expected_version)
    open_items = session.exec(
        select(AgendaItem.title).where(
            AgendaItem.meeting_id == meeting_id, col(AgendaItem.decided_at).is_(None), AgendaItem.kind == ItemKind.decision
        )
    ).all()
    if open_items:
        raise Conflict(
            f"Record the decision of every item first: {'; '.join(open_items)}.",
            da=f"Registrér først beslutningen på hvert punkt: {'; '.join(open_items)}.",
            version=meeting.version,
        )
    members = access.members_on_the_day(session, meeting)
    data = {"minutes": f"/api/v1/meetings/{meeting_id}/minutes", "page": f"/moeder/{meeting_id}"}
    for user_id in sorted(set(members)):
        session.add(
            MeetingMessage(
                meeting_id=meeting_id,
                topic="minutes_finalised",
                audience="board_member",
                recipient_id=user_id,
                data=data,
                created_at=now,
            )
        )
    access.bump(session, meeting, minutes_finalised_at=now)
    file_minutes(session, actor=actor, meeting_id=meeting_id, now=now)
    session.commit()


def file_minutes(session: Session, *, actor: Actor, meeting_id: int, now: datetime) -> None:
    """The finalised minutes as a PDF on each case the meeting decided (stored by SHA-256, like any document)."""
    folder = session.info.get("documents")
    if folder is None:  # a session without an installation's files (scripts): nothing to file
        return
    name, data = documents.members_pdf(session, meeting_id=meeting_id, minutes=True, now=now)
    sha = hashlib.sha256(data).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{sha}.{uuid.uuid4().hex}"
    temporary.write_bytes(data)
    temporary.replace(folder / sha)  # same content, same name: harmless if it was there
    decided = session.exec(
        select(AgendaItem.case_id).where(AgendaItem.meeting_id == meeting_id, col(AgendaItem.decided_at).is_not(None))
    ).all()
    for case_id in sorted({c for c in decided if c is not None}):
        session.add(
            CaseDocument(
                case_id=case_id,
                uploaded_by_id=actor.person,
                at=now,
                filename=name,
                content_type="application/pdf",
                size_bytes=len(data),
                sha256=sha,
                visibility=Visibility.internal,
            )
        )
