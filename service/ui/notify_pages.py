"""Pages for what reaches people: a deadline paused, resumed or extended (the secretariat) or its reminders
snoozed (anyone reminded), "Min profil" with how mails reach you, and "Sendte mails"."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select

from service.api.mails import MailPage, page, state_of
from service.api.notifications import TOPICS, PreferencesUpdate, preferences, save_preferences
from service.cases.deadline_changes import Change, DeadlineChange, change_deadline, snooze
from service.deps import SessionDep
from service.errors import ServiceError
from service.persistence.notify_tables import Mail
from service.ui.case_pages import actor_of, case_view, clock
from service.ui.i18n import language
from service.ui.views import csrf_ok, render, to_login, ui_user
from workflows.registry import WORKFLOWS
from workflows.schemas import MAX_ID

router = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def topic_choices() -> list[tuple[str, str, str]]:
    """One checkbox per Danish action label: (the action names it stands for, comma-joined; Danish; English)."""
    names: dict[str, set[str]] = {}
    english: dict[str, set[str]] = {}
    for workflow in WORKFLOWS.values():
        for name in TOPICS:
            if (action := workflow.action(name)) is not None:
                names.setdefault(action.da, set()).add(name)
                english.setdefault(action.da, set()).add(action.en)
    return sorted((",".join(sorted(found)), da, " / ".join(sorted(english[da]))) for da, found in names.items())


TOPIC_CHOICES = sorted(topic_choices(), key=lambda choice: choice[1])


async def posted(request: Request) -> dict[str, str] | None:
    """The form's fields, or None when its CSRF token is not this session's."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    return form if csrf_ok(request, form.get("csrf", "")) else None


def refused(request: Request, error: ServiceError | ValidationError) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(str(e["msg"]) for e in error.errors())
    return error.detail_da if language(request) == "da" and error.detail_da else error.detail


@router.post("/sager/{case_id}/frister/{deadline_id}/{change}")
async def change(request: Request, session: SessionDep, case_id: Id, deadline_id: Id, change: str) -> Response:
    """Pause (`pause`), resume (`resume`), extend (`extend`) a deadline, or snooze (`udsaet`) its reminders."""
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    form = await posted(request)
    if form is None:
        return RedirectResponse(f"/sager/{case_id}", status_code=303)
    actor, now, today = actor_of(request, session, user), clock(request).now(), clock(request).today()
    try:
        if change == "udsaet":
            until = date.fromisoformat(form.get("until", "")) if form.get("until") else today
            snooze(session=session, actor=actor, case_id=case_id, deadline_id=deadline_id, until=until, today=today)
        else:
            body = DeadlineChange.model_validate(
                {
                    "expected_version": form.get("version"),
                    "reason": form.get("reason", ""),
                    "due_on": form.get("due_on") or None,
                }
            )
            change_deadline(
                session=session,
                actor=actor,
                case_id=case_id,
                deadline_id=deadline_id,
                change=Change(change),
                body=body,
                now=now,
            )
    except (ServiceError, ValidationError) as error:
        status = error.status if isinstance(error, ServiceError) else 422
        return case_view(request, session, user, case_id, status, refused(request, error))
    except ValueError:  # a date that is no date, or a change that is none
        message = "Ukendt dato eller handling." if language(request) == "da" else "Unknown date or change."
        return case_view(request, session, user, case_id, 422, message)
    return RedirectResponse(f"/sager/{case_id}#frister", status_code=303)


@router.get("/profil")
def profile(request: Request, session: SessionDep, saved: bool = False) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    return render(request, "profile.html", user=user, prefs=preferences(user), topics=TOPIC_CHOICES, saved=saved)


@router.post("/profil")
async def save_profile(request: Request, session: SessionDep) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    raw = await request.form()
    if not csrf_ok(request, str(raw.get("csrf", ""))):
        return RedirectResponse("/profil", status_code=303)
    try:
        body = PreferencesUpdate.model_validate(
            {
                "expected_version": int(version) if (version := str(raw.get("version", ""))).isdigit() else -1,
                "language": raw.get("language", "da"),
                "daily_digest": raw.get("daily_digest") == "on",
                "immediate_topics": [name for value in raw.getlist("topics") for name in str(value).split(",")],
            }
        )
        saved = save_preferences(session, user, body)
    except (ServiceError, ValidationError) as error:
        status = error.status if isinstance(error, ServiceError) else 422
        prefs = preferences(user)
        return render(
            request, "profile.html", status, user=user, prefs=prefs, topics=TOPIC_CHOICES, error=refused(request, error)
        )
    request.session["lang"] = saved.language
    return RedirectResponse("/profil?saved=1", status_code=303)


@router.get("/mails")
def mails(request: Request, session: SessionDep, alle: bool = False, tilstand: str = "", side: int = 0) -> Response:
    """ "Sendte mails": the user's own, or (the secretariat) everyone's with their delivery state."""
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    actor = actor_of(request, session, user)
    everyone = alle and (actor.is_secretariat or actor.is_admin)
    query = select(Mail) if everyone else select(Mail).where(Mail.user_id == user.id)
    states = {
        "venter": col(Mail.sent_at).is_(None) & col(Mail.last_error).is_(None),
        "fejler": col(Mail.sent_at).is_(None) & col(Mail.last_error).is_not(None),
        "sendt": col(Mail.sent_at).is_not(None),
    }
    if tilstand in states:
        query = query.where(states[tilstand])
    listed: MailPage = page(session, query, 50, max(side, 0) * 50)
    return render(
        request,
        "mails.html",
        user=user,
        mails=listed,
        everyone=everyone,
        may_see_all=actor.is_secretariat or actor.is_admin,
        state=tilstand,
        side=max(side, 0),
    )


@router.get("/mails/{mail_id}")
def mail(request: Request, session: SessionDep, mail_id: Id) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    actor = actor_of(request, session, user)
    found = session.get(Mail, mail_id)
    if found is None or not (found.user_id == user.id or actor.is_secretariat or actor.is_admin):
        return render(request, "not_found.html", 404, user=user)
    return render(request, "mail.html", user=user, mail=found, state=state_of(found))
