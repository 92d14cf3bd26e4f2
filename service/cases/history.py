"""A case's history as its readers see it: accepted actions, comments and documents, oldest first."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from service.persistence.case_tables import Case, CaseComment, CaseDocument, CaseEvent
from service.persistence.tables import Organisation, User


class HistoryEntry(BaseModel):
    """An accepted action (with its `seq`, the case's version after it), a comment or a document."""

    seq: int | None
    at: datetime
    actor: str | None
    acting_for: str | None
    action: str
    from_state: str | None
    to_state: str
    comment: str
    data: dict[str, Any]


def history(session: Session, case: Case, *, shown: tuple[str, ...] = ("internal", "shared")) -> list[HistoryEntry]:
    """The case's append-only history with its comments and documents of the `shown` visibilities, oldest first."""
    rows = session.exec(
        select(CaseEvent, User.username, Organisation.code)
        .outerjoin(User, col(User.id) == col(CaseEvent.actor_id))
        .outerjoin(Organisation, col(Organisation.id) == col(CaseEvent.acting_for_id))
        .where(CaseEvent.case_id == case.id)
        .order_by(col(CaseEvent.seq))
    )
    entries = [
        HistoryEntry(
            seq=e.seq,
            at=e.at,
            actor=username,
            acting_for=org,
            action=e.action,
            from_state=e.from_state,
            to_state=e.to_state,
            comment=e.comment,
            data=e.data,
        )
        for e, username, org in rows
    ]
    comments = session.exec(
        select(CaseComment, User.username)
        .join(User, col(User.id) == col(CaseComment.author_id))
        .where(CaseComment.case_id == case.id, col(CaseComment.visibility).in_(shown))
    )
    entries += [
        HistoryEntry(
            seq=None,
            at=c.at,
            actor=name,
            acting_for=None,
            action="comment",
            from_state=None,
            to_state=_state_at(entries, c.at),
            comment=c.body,
            data={"comment_id": c.id},
        )
        for c, name in comments
    ]
    documents = session.exec(
        select(CaseDocument, User.username)
        .join(User, col(User.id) == col(CaseDocument.uploaded_by_id))
        .where(CaseDocument.case_id == case.id, col(CaseDocument.visibility).in_(shown))
    )
    entries += [
        HistoryEntry(
            seq=None,
            at=d.at,
            actor=name,
            acting_for=None,
            action="attach_document",
            from_state=None,
            to_state=_state_at(entries, d.at),
            comment=d.filename,
            data={"document_id": d.id, "sha256": d.sha256, "size_bytes": d.size_bytes},
        )
        for d, name in documents
    ]
    return sorted(entries, key=lambda e: (e.at, e.seq or 0))


def _state_at(events: list[HistoryEntry], at: datetime) -> str:
    """The state the case was in at a moment, from its events."""
    state = events[0].to_state
    for event in events:
        if event.seq is not None and event.at <= at:
            state = event.to_state
    return state
