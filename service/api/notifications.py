"""Deadlines, reminders and mails over HTTP: pause, resume and extend a deadline (the secretariat), snooze its
reminders (yourself), choose how mails reach you, and read the mails the service sent or keeps."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field, StrictBool, field_validator
from sqlalchemy import update
from sqlmodel import Session, col

from service.cases import views as case_views
from service.cases.deadline_changes import Change, DeadlineChange, SnoozeRequest, change_deadline, snooze
from service.deps import ActorDep, ClockDep, CurrentUser, SessionDep
from service.errors import Conflict, Forbidden, NotFound
from service.persistence.db import write_transaction
from service.persistence.tables import Organisation, OrganisationKind, User
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


class WeeklyDigest(Strict):
    expected: str | None = Field(max_length=320, description="The address as you last saw it (null: none)")
    to: str | None = Field(
        max_length=320,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="The organisation's shared mailbox for its weekly list; null stops it",
    )


@router.put("/organisations/{organisation_id}/weekly-digest", response_model=WeeklyDigest)
def set_weekly_digest(organisation_id: Id, body: WeeklyDigest, actor: ActorDep, session: SessionDep) -> WeeklyDigest:
    """Where a housing organisation gets its weekly list of pending votes and consents (the secretariat, or someone
    designated for the organisation); a change made meanwhile by someone else is a 409."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != OrganisationKind.housing_organisation:
        raise NotFound(
            f"There is no housing organisation {organisation_id}.", da=f"Der er ingen boligorganisation {organisation_id}."
        )
    if not (actor.is_secretariat or organisation.code in actor.acts_for):
        raise Forbidden(
            "Only the secretariat or someone designated for the organisation may set its weekly list.",
            da="Kun sekretariatet eller en, der er udpeget for organisationen, må ændre dens ugentlige liste.",
        )
    write_transaction(session)
    table = Organisation.__table__  # type: ignore[attr-defined]
    current = table.c.weekly_digest_to
    same = current.is_(None) if body.expected is None else current == body.expected
    changed = session.connection().execute(
        update(table).where(table.c.id == organisation_id, same).values(weekly_digest_to=body.to)
    )
    if changed.rowcount != 1:
        session.rollback()
        raise Conflict(
            "The address was changed meanwhile; reload and try again.",
            da="Adressen blev ændret imens; hent den igen, og prøv igen.",
        )
    session.commit()
    return WeeklyDigest(expected=body.to, to=body.to)
