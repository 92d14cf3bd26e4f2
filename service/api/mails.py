"""Mails over HTTP: your own, or (the secretariat) everyone's with their delivery state."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from service.deps import ActorDep, CurrentUser, SessionDep
from service.errors import Forbidden, NotFound
from service.persistence.notify_tables import Mail
from workflows.schemas import MAX_ID

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Not the secretariat (everyone's mails)"},
    404: {"description": "No such mail that you can see"},
    422: {"description": "Invalid input; the errors name each field"},
}
router = APIRouter(tags=["notifications"], responses=ERRORS)


class MailPublic(BaseModel):
    id: int
    to_address: str
    kind: str
    language: str
    subject: str
    created_at: datetime
    state: Literal["waiting", "sent", "kept", "failing"]
    sent_at: datetime | None
    attempts: int
    last_error: str | None


class MailDetail(MailPublic):
    body_text: str
    body_html: str


class MailPage(BaseModel):
    items: list[MailPublic]
    total: int


def state_of(mail: Mail) -> Literal["waiting", "sent", "kept", "failing"]:
    if mail.sent_at is not None:
        return "kept" if mail.stored else "sent"
    return "failing" if mail.last_error else "waiting"


def public(mail: Mail) -> MailPublic:
    return MailPublic(**mail.model_dump(include=set(MailPublic.model_fields)), state=state_of(mail))


def page(session: Session, query: SelectOfScalar[Mail], limit: int, offset: int) -> MailPage:
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Mail.id).desc()).limit(limit).offset(offset))
    return MailPage(items=[public(m) for m in rows], total=total)


Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/me/mails", response_model=MailPage)
def my_mails(user: CurrentUser, session: SessionDep, limit: Limit = 50, offset: Offset = 0) -> MailPage:
    """The mails the service sent you (or keeps for you when no SMTP relay is configured), newest first."""
    return page(session, select(Mail).where(Mail.user_id == user.id), limit, offset)


@router.get("/mails", response_model=MailPage)
def all_mails(
    actor: ActorDep,
    session: SessionDep,
    state: Literal["waiting", "sent", "kept", "failing"] | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MailPage:
    """Every mail with its delivery state (the secretariat and administrators)."""
    if not (actor.is_secretariat or actor.is_admin):
        raise Forbidden("Only the secretariat sees everyone's mails.", da="Kun sekretariatet kan se alles mails.")
    query = select(Mail)
    unsent = col(Mail.sent_at).is_(None)
    filters = {
        "waiting": unsent & col(Mail.last_error).is_(None),
        "failing": unsent & col(Mail.last_error).is_not(None),
        "sent": col(Mail.sent_at).is_not(None) & ~col(Mail.stored),
        "kept": col(Mail.sent_at).is_not(None) & col(Mail.stored),
    }
    return page(session, query.where(filters[state]) if state else query, limit, offset)


@router.get("/mails/{mail_id}", response_model=MailDetail)
def one_mail(mail_id: Id, actor: ActorDep, session: SessionDep) -> MailDetail:
    """One mail with its text and HTML: your own, or any for the secretariat."""
    mail = session.get(Mail, mail_id)
    if mail is None or not (mail.user_id == actor.user_id or actor.is_secretariat or actor.is_admin):
        raise NotFound(f"There is no mail {mail_id} that you can see.", da=f"Der er ingen mail {mail_id}, som du kan se.")
    return MailDetail(**public(mail).model_dump(), body_text=mail.body_text, body_html=mail.body_html)
