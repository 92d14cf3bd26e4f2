"""Deadlines, reminders and mails over HTTP: pause, resume and extend a deadline (the secretariat), snooze its
reminders (yourself), choose how mails reach you, and read the mails the service sent or keeps."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, StrictBool, field_validator
from sqlalchemy import update
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from service.cases import views as case_views
from service.cases.deadline_changes import Change, DeadlineChange, SnoozeRequest, change_deadline, snooze
from service.deps import ActorDep, ClockDep, CurrentUser, SessionDep
from service.errors import Conflict, Forbidden, NotFound
from service.persistence.db import write_transaction
from service.persistence.notify_tables import Mail
from service.persistence.tables import User
from workflows.registry import WORKFLOWS
from workflows.schemas import MAX_ID, Strict

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
USERS = User.__table__  # type: ignore[attr-defined]
ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Not yours to change"},
    404: {"description": "No such case or deadline that you can see"},
    409: {"description": "Changed by someone else meanwhile, or not possible now"},
    422: {"description": "Invalid input; the errors name each field"},
}
TOPICS = sorted({a.name for w in WORKFLOWS.values() for a in w.actions if a.notifies})

router = APIRouter(tags=["notifications"], responses=ERRORS)


def changing(change: Change, doc: str, *, method: str = "post", last: str | None = None) -> None:
    """Register `<method> /cases/{case_id}/deadlines/{deadline_id}/<last>` (fixed paths: no other method matches)."""

    def route(
        case_id: Id, deadline_id: Id, body: DeadlineChange, actor: ActorDep, session: SessionDep, clock: ClockDep
    ) -> case_views.CasePublic:
        now = clock.now()
        here = change_deadline(
            session=session, actor=actor, case_id=case_id, deadline_id=deadline_id, change=change, body=body, now=now
        )
        return case_views.describe(session, here, today=clock.today())

    route.__doc__ = doc
    path = f"/cases/{{case_id}}/deadlines/{{deadline_id}}/{last or change.value}"
    register = router.delete if method == "delete" else router.post
    register(path, response_model=case_views.CasePublic, name=f"{change.value}_deadline")(route)


changing(Change.pause, "Pause a deadline (the secretariat), with the reason kept in the case's history.")
changing(
    Change.unpause, "End a pause: the deadline moves on by the working days it was paused.", method="delete", last="pause"
)
changing(Change.extend, "Extend a deadline to a later `due_on` (the secretariat), with the reason kept in the history.")


class SnoozePublic(BaseModel):
    deadline_id: int
    until: str


@router.put("/cases/{case_id}/deadlines/{deadline_id}/snooze", response_model=SnoozePublic)
def snooze_reminders(
    case_id: Id, deadline_id: Id, body: SnoozeRequest, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> SnoozePublic:
    """No reminders of this deadline to you until a day; the deadline itself, and everyone else's reminders, stay."""
    row = snooze(
        session=session, actor=actor, case_id=case_id, deadline_id=deadline_id, until=body.until, today=clock.today()
    )
    return SnoozePublic(deadline_id=row.deadline_id, until=row.until.isoformat())


class Preferences(BaseModel):
    language: Literal["da", "en"]
    daily_digest: bool = Field(description="One mail a working day with everything new; false: each at once")
    immediate_topics: list[str] = Field(description="Actions mailed at once even with the daily digest on")
    version: int


class PreferencesUpdate(Strict):
    expected_version: int = Field(ge=0, le=2_000_000_000, strict=True)
    language: Literal["da", "en"] = "da"
    daily_digest: StrictBool = True
    immediate_topics: list[str] = Field(default_factory=list, max_length=len(TOPICS))

    @field_validator("immediate_topics")
    @classmethod
    def _known_topics(cls, topics: list[str]) -> list[str]:
        unknown = sorted(set(topics) - set(TOPICS))
        if unknown:
            raise ValueError(f"unknown topics {unknown}; choose among {TOPICS}")
        return topics


def preferences(user: User) -> Preferences:
    return Preferences(
        language="en" if user.language == "en" else "da",
        daily_digest=user.daily_digest,
        immediate_topics=user.immediate_topics or [],
        version=user.preferences_version,
    )


@router.get("/me/preferences", response_model=Preferences)
def get_preferences(user: CurrentUser) -> Preferences:
    """How mails reach you: language, daily digest or at once, and the topics you want at once anyway."""
    return preferences(user)


@router.put("/me/preferences", response_model=Preferences)
def put_preferences(body: PreferencesUpdate, user: CurrentUser, session: SessionDep) -> Preferences:
    """Change how mails reach you; a form older than the last change gets a 409."""
    return save_preferences(session, user, body)


def save_preferences(session: Session, user: User, body: PreferencesUpdate) -> Preferences:
    write_transaction(session)
    changed = session.connection().execute(
        update(USERS)
        .where(col(User.id) == user.id, col(User.preferences_version) == body.expected_version)
        .values(
            language=body.language,
            daily_digest=body.daily_digest,
            immediate_topics=sorted(set(body.immediate_topics)),
            preferences_version=body.expected_version + 1,
        )
    )
    if changed.rowcount != 1:
        session.rollback()
        raise Conflict(
            "Your preferences were changed elsewhere meanwhile; reload and choose again.",
            da="Dine valg blev ændret et andet sted imens; hent siden igen, og vælg igen.",
        )
    session.commit()
    session.refresh(user)
    return preferences(user)


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
