"""Meeting pages: a board's meeting calendar, one meeting with its agenda, votes, decisions and minutes.

Every form goes through the same service functions as the API (and so through the cases' engine); a refusal is
shown on the meeting page in the user's language.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, select

from service import register
from service.authz import Actor
from service.cases import load
from service.cases.visibility import visible
from service.deps import SessionDep
from service.errors import Invalid, ServiceError, field_errors
from service.meetings import access, agenda, decisions, documents, manage, minutes, views
from service.meetings.schemas import AgendaRequest, DecisionRequest, MeetingCreate, MeetingUpdate, VoteRequest
from service.persistence.tables import Board, Meeting, Organisation
from service.ui.case_pages import actor_of, clock
from service.ui.i18n import language
from service.ui.views import csrf_ok, render, to_login, ui_user
from workflows.calendar import LOCAL
from workflows.schemas import MAX_ID

router = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _local(raw: str) -> str:
    """A datetime-local field ("2017-03-22T14:00") as Copenhagen time with its zone."""
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=LOCAL).isoformat() if raw else raw
    except ValueError:
        return raw  # the schema refuses it with a message naming the field


def _checked(model: Any, values: dict[str, Any]) -> Any:
    try:
        return model.model_validate({k: v for k, v in values.items() if v not in ("", None)})
    except ValidationError as error:
        raise field_errors(error, "form") from None


@router.get("/bestyrelser/{board_id}/moeder")
def board_meetings(request: Request, session: SessionDep, board_id: Id) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    board = session.get(Board, board_id)
    if board is None:
        return render(request, "not_found.html", 404, user=user)
    actor = actor_of(request, session, user)
    meetings = register.list_meetings(session=session, board_id=board_id)
    now = clock(request).now()
    return render(
        request,
        "meetings.html",
        user=user,
        board=board,
        upcoming=[m for m in meetings if m.starts_at >= now],
        held=[m for m in reversed(meetings) if m.starts_at < now],  # the latest first
        now=now,
        manages=access.manages(actor),
        error=request.session.pop("flash_error", None),
    )


@router.post("/bestyrelser/{board_id}/moeder")
async def create_meeting(request: Request, session: SessionDep, board_id: Id) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if csrf_ok(request, form.get("csrf", "")):
        try:
            body = _checked(
                MeetingCreate,
                {"board_id": board_id, "starts_at": _local(form.get("starts_at", "")), "location": form.get("location")},
            )
            meeting = manage.create_meeting(
                session=session, actor=actor_of(request, session, user), body=body, now=clock(request).now()
            )
            return RedirectResponse(f"/moeder/{meeting.id}", status_code=303)
        except ServiceError as refusal:
            _flash(request, refusal)
    return RedirectResponse(f"/bestyrelser/{board_id}/moeder", status_code=303)


def _flash(request: Request, refusal: ServiceError) -> None:
    danish = language(request) == "da"
    request.session["flash_error"] = refusal.detail_da if danish and refusal.detail_da else refusal.detail


@router.get("/moeder/{meeting_id}")
def meeting_page(request: Request, session: SessionDep, meeting_id: Id) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    actor = actor_of(request, session, user)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        return render(request, "not_found.html", 404, user=user)
    detail = views.describe(session, actor=actor, meeting=meeting, now=clock(request).now())
    orgs = {o.code: o for o in session.exec(select(Organisation))}
    return render(
        request,
        "meeting.html",
        user=user,
        m=detail,
        manages=access.manages(actor),
        member=access.approves_minutes(session, actor, meeting, clock(request).now()),
        voters=_voters(session, actor, detail, orgs),
        started=meeting.starts_at <= clock(request).now(),
        now=clock(request).now(),
        error=request.session.pop("flash_error", None),
    )


def _voters(session: Session, actor: Actor, detail: Any, orgs: dict[str, Organisation]) -> dict[int, list[Organisation]]:
    """Per item's case: the organisations that vote on it (the plan's parties, and the City where it has a veto)."""
    found = {}
    for item in detail.items:
        if item.case_id is not None and item.kind == "decision" and access.manages(actor):
            here = load(session, actor, item.case_id, visible=visible(session, actor))
            found[item.case_id] = [orgs[c] for c in sorted(here.setting.voters) if c in orgs]
    return found


def _act(name: str) -> Callable[..., None]:
    """The service call behind one of the meeting page's forms."""

    def add(session: Session, actor: Actor, mid: int, form: dict[str, str], now: datetime) -> None:
        body = _checked(AgendaRequest, {"case_id": form.get("case_id"), "kind": form.get("kind") or "decision"})
        agenda.add_item(session=session, actor=actor, meeting_id=mid, body=body, now=now)

    def vote(session: Session, actor: Actor, mid: int, form: dict[str, str], now: datetime) -> None:
        body = _checked(VoteRequest, {"organisation_id": form.get("organisation_id"), "vote": form.get("ballot")})
        decisions.record_vote(session=session, actor=actor, meeting_id=mid, case_id=int(form["case_id"]), body=body, now=now)

    def decide(session: Session, actor: Actor, mid: int, form: dict[str, str], now: datetime) -> None:
        body = _checked(DecisionRequest, {"outcome": form.get("outcome"), "comment": form.get("comment", "")})
        decisions.record_decision(
            session=session, actor=actor, meeting_id=mid, case_id=int(form["case_id"]), body=body, now=now
        )

    def move(session: Session, actor: Actor, mid: int, form: dict[str, str], now: datetime) -> None:
        values = {"expected_version": form.get("version"), "starts_at": _local(form.get("starts_at", ""))}
        body = _checked(MeetingUpdate, values | ({"location": form["location"]} if form.get("location") else {}))
        manage.move_meeting(session=session, actor=actor, meeting_id=mid, body=body, now=now)

    def versioned(call: Callable[..., Any]) -> Callable[..., None]:
        def run(session: Session, actor: Actor, mid: int, form: dict[str, str], now: datetime) -> None:
            version = form.get("version", "")
            if not version.isdigit():
                raise Invalid("The form has no version.", [{"field": "version", "message": "missing"}])
            call(session=session, actor=actor, meeting_id=mid, expected_version=int(version), now=now)

        return run

    def plain(call: Callable[..., Any]) -> Callable[..., None]:
        return lambda session, actor, mid, form, now: call(session=session, actor=actor, meeting_id=mid, now=now)

    acts: dict[str, Callable[..., None]] = {
        "dagsorden": add,
        "stemme": vote,
        "beslutning": decide,
        "flyt": move,
        "aflys": versioned(manage.cancel_meeting),
        "bekraeft": versioned(agenda.confirm),
        "udsend": versioned(agenda.send),
        "endeligt": versioned(minutes.finalise),
        "godkend": plain(minutes.approve),
        "tilbagetraek": plain(minutes.withdraw),
    }
    return acts[name]


ACTS = ("dagsorden", "stemme", "beslutning", "flyt", "aflys", "bekraeft", "udsend", "endeligt", "godkend", "tilbagetraek")


@router.post("/moeder/{meeting_id}/{act}")
async def meeting_form(request: Request, session: SessionDep, meeting_id: Id, act: str) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if act in ACTS and csrf_ok(request, form.get("csrf", "")):
        try:
            if not form.get("case_id", "1").isdigit():
                raise Invalid("The form names no case.", [{"field": "case_id", "message": "not a number"}])
            _act(act)(session, actor_of(request, session, user), meeting_id, form, clock(request).now())
        except ServiceError as refusal:
            _flash(request, refusal)
    return RedirectResponse(f"/moeder/{meeting_id}", status_code=303)


@router.get("/moeder/{meeting_id}/{name}.{fmt}")
def meeting_document(request: Request, session: SessionDep, meeting_id: Id, name: str, fmt: str) -> Response:
    """The agenda (dagsorden) or minutes (referat) as PDF or HTML; the public version for non-members."""
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or name not in ("dagsorden", "referat") or fmt not in ("pdf", "html"):
        return render(request, "not_found.html", 404, user=user)
    actor = actor_of(request, session, user)
    detail = views.describe(session, actor=actor, meeting=meeting, now=clock(request).now())
    detail.items = views.items_of(session, meeting_id)
    public = request.query_params.get("udgave") == "offentlig" or not access.sees_agenda(actor, meeting.board_id)
    doc = documents.document(detail, minutes=name == "referat", public=public)
    if fmt == "pdf":
        return Response(documents.pdf(doc), media_type="application/pdf")
    return Response(documents.html(doc), media_type="text/html; charset=utf-8")
