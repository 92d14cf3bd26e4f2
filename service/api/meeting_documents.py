"""A meeting's agenda and minutes as HTML or PDF (by Accept), and the meeting calendars as iCalendar feeds."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel
from sqlmodel import select

from service.authz import Actor, load_actor
from service.deps import ClockDep, SessionDep, SettingsDep, get_current_user, oauth2_scheme
from service.errors import Forbidden, NotAcceptable, NotFound, Unauthorized
from service.meetings import access, documents, feeds, views
from service.persistence.tables import Board, User
from workflows.schemas import MAX_ID

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Version = Annotated[Literal["internal", "public"] | None, Query(description="Default: internal for members")]
ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "Not logged in"}}
DOC_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"description": "The internal version is for the secretariat and the board's members"},
    404: {"description": "No such meeting"},
    406: {"description": "Only text/html and application/pdf"},
}
DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}, "application/pdf": {}}, "description": "The document"}
}
ICS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "An iCalendar (RFC 5545) feed"}
}

router = APIRouter(tags=["meetings"], responses=ERRORS)


class FeedPublic(BaseModel):
    url: str


def feed_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
    token: Annotated[str | None, Query(max_length=300, description="The personal feed token")] = None,
) -> User:
    """The user of a calendar request: by the personal feed token of a subscription, else by the bearer token."""
    if token is None:
        return get_current_user(request, session, settings, bearer)
    user = feeds.token_user(settings, session, token)
    if user is None:
        raise Unauthorized("The calendar link is not valid (any more).", da="Kalenderlinket er ikke (længere) gyldigt.")
    return user


FeedUser = Annotated[User, Depends(feed_user)]


def _document(request: Request, session: SessionDep, clock: ClockDep, actor: Actor, meeting_id: int, **kw: Any) -> Response:
    version = kw.pop("version")
    meeting = access.get_meeting(session, meeting_id)
    sees = access.sees_agenda(actor, meeting.board_id)
    if version == "internal" and not sees:
        raise Forbidden(
            "You may not do this: the members' version is for the secretariat and the board's members.",
            da="Du må ikke gøre dette: medlemsudgaven er for sekretariatet og bestyrelsens medlemmer.",
        )
    detail = views.describe(session, actor=actor, meeting=meeting, now=clock.now())
    if not sees:  # the public version, built as a member would see it, then filtered
        detail.items = views.items_of(session, meeting_id)
    doc = documents.document(detail, public=version == "public" or not sees, **kw)
    accept = request.headers.get("Accept", "*/*")
    if "application/pdf" in accept:
        return Response(documents.pdf(doc), media_type="application/pdf")
    if any(kind in accept for kind in ("text/html", "*/*", "text/*")):
        return Response(documents.html(doc), media_type="text/html; charset=utf-8")
    raise NotAcceptable(
        "The document comes as text/html or application/pdf.", da="Dokumentet findes som text/html eller application/pdf."
    )


def _actor(session: SessionDep, clock: ClockDep, user: FeedUser) -> Actor:
    return load_actor(session, user, clock.today())


@router.get("/meetings/{meeting_id}/agenda", responses={**DOC_ERRORS, **DOCUMENT}, response_class=Response)
def agenda_document(
    meeting_id: Id, request: Request, session: SessionDep, clock: ClockDep, user: FeedUser, version: Version = None
) -> Response:
    """The agenda (dagsorden), HTML or PDF by Accept; the public version leaves out closed items and bilag."""
    actor = _actor(session, clock, user)
    return _document(request, session, clock, actor, meeting_id, version=version, minutes=False)


@router.get("/meetings/{meeting_id}/minutes", responses={**DOC_ERRORS, **DOCUMENT}, response_class=Response)
def minutes_document(
    meeting_id: Id, request: Request, session: SessionDep, clock: ClockDep, user: FeedUser, version: Version = None
) -> Response:
    """The minutes (referat / beslutningsprotokol) built from the decisions, HTML or PDF by Accept."""
    actor = _actor(session, clock, user)
    return _document(request, session, clock, actor, meeting_id, version=version, minutes=True)


@router.get("/calendar/me", response_model=FeedPublic)
def my_feed(user: FeedUser, settings: SettingsDep) -> FeedPublic:
    """The personal URL of my meeting calendar, for subscribing in a calendar client."""
    token = feeds.feed_token(settings, user)
    return FeedPublic(url=f"{settings.base_url.rstrip('/')}/api/v1/calendar/me.ics?token={token}")


@router.get("/calendar/me.ics", responses=ICS, response_class=Response)
def my_calendar(user: FeedUser, session: SessionDep, clock: ClockDep, settings: SettingsDep) -> Response:
    """The meetings of every board I sit on (the secretariat: every board's)."""
    actor = _actor(session, clock, user)
    boards = list(actor.seats)
    if access.manages(actor):
        boards = [b for b in session.exec(select(Board.id)) if b is not None]
    body = feeds.calendar(feeds.meetings_of(session, boards), name="Mine møder", base_url=settings.base_url, now=clock.now())
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.get("/calendar/{board_id}.ics", responses={**ICS, 404: {"description": "No such board"}}, response_class=Response)
def board_calendar(board_id: Id, user: FeedUser, session: SessionDep, clock: ClockDep, settings: SettingsDep) -> Response:
    """One board's meetings."""
    board = session.get(Board, board_id)
    if board is None:
        raise NotFound(f"There is no board with id {board_id}.", da=f"Der findes ingen bestyrelse med id {board_id}.")
    meetings = feeds.meetings_of(session, [board_id])
    body = feeds.calendar(meetings, name=board.name, base_url=settings.base_url, now=clock.now())
    return Response(body, media_type="text/calendar; charset=utf-8")
