"""The event log for process-mining tools (api.md `/export/events.csv|.xes`), streamed; only visible cases."""

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from service.cases.visibility import sees_everything, visible
from service.deps import ActorDep, SessionDep
from service.stats import eventlog

router = APIRouter(prefix="/export", tags=["export"], responses={401: {"description": "Not logged in"}})


@router.get(
    "/events.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The event log as CSV"}},
)
def events_csv(session: SessionDep, actor: ActorDep) -> StreamingResponse:
    """One row per history event: case, case type, activity, timestamp, resource, from/to state, plan, district."""
    where = None if sees_everything(actor) else visible(session, actor)
    rows = eventlog.events(session.connection(), where)
    return StreamingResponse(
        eventlog.csv_lines(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="events.csv"'},
    )


@router.get(
    "/events.xes",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/xml": {"schema": {"type": "string"}}}, "description": "The log as XES"}},
)
def events_xes(session: SessionDep, actor: ActorDep) -> StreamingResponse:
    """The same log as XES (IEEE 1849): a trace per case, an event per history event."""
    where = None if sees_everything(actor) else visible(session, actor)
    rows = eventlog.events(session.connection(), where)
    return StreamingResponse(
        eventlog.xes_lines(rows),
        media_type="application/xml",
        headers={"Content-Disposition": 'attachment; filename="events.xes"'},
    )
