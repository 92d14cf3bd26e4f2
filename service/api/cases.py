"""Cases over HTTP: open, list, read, act, and read the history. Visibility comes from service/visibility.py."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Response

from service import cases
from service.cases import history
from service.cases import views as case_views
from service.cases.schemas import ActionRequest, CaseCreate
from service.cases.visibility import shown_visibilities, visible
from service.deps import ActorDep, ClockDep, SessionDep, VisibleCase
from workflows.schemas import MAX_ID

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "Not logged in"}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"description": "No such case, or not one you can see"}}
ACT_ERRORS: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    403: {"description": "You may not take this action; the detail names the rule"},
    409: {"description": "Stale expected_version, or not possible in the case's state; the body names both"},
    422: {"description": "Invalid data; the errors name each field"},
}
SORTS = Literal["reference", "-reference", "title", "-title", "state", "-state", "case_type", "-case_type", "id", "-id"]

router = APIRouter(tags=["cases"], responses=ERRORS)


@router.post("/cases", status_code=201, response_model=case_views.CasePublic, responses={**ACT_ERRORS})
def open_case(
    body: CaseCreate, actor: ActorDep, session: SessionDep, clock: ClockDep, response: Response
) -> case_views.CasePublic:
    """Open a case of a type for a plan (or, for a charter, a district board)."""
    case = cases.open_case(session=session, actor=actor, now=clock.now(), **body.model_dump())
    response.headers["Location"] = f"/api/v1/cases/{case.id}"
    return case_views.describe(session, cases.situation(session, case, actor), today=clock.today())


@router.get("/cases", response_model=case_views.CasePage)
def list_cases(
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
    case_type: Annotated[str | None, Query(max_length=50)] = None,
    state: Annotated[str | None, Query(max_length=50)] = None,
    plan_id: QueryId = None,
    district_id: QueryId = None,
    board_id: QueryId = None,
    open: bool | None = None,
    overdue: bool = False,
    actionable: Annotated[bool, Query(description="Only cases where you can act now: your inbox")] = False,
    q: Annotated[str | None, Query(max_length=200, description="Text in reference, title or description")] = None,
    sort: SORTS = "-id",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> case_views.CasePage:
    """The cases you can see, filtered, sorted and one page at a time (the total is in the body)."""
    filters = dict(
        case_type=case_type,
        state=state,
        plan_id=plan_id,
        district_id=district_id,
        board_id=board_id,
        open=open,
        overdue=overdue,
        actionable=actionable,
        q=q,
    )
    return case_views.list_cases(session, actor, filters=filters, sort=sort, limit=limit, offset=offset, today=clock.today())


@router.get("/cases/{case_id}", response_model=case_views.CasePublic, responses=NOT_FOUND)
def get_case(case_id: Id, actor: ActorDep, session: SessionDep, clock: ClockDep) -> case_views.CasePublic:
    """One case, with its deadlines and the actions you may take now (and why others are refused)."""
    here = cases.load(session, actor, case_id, visible=visible(session, actor))
    return case_views.describe(session, here, today=clock.today())


@router.post("/cases/{case_id}/actions/{action}", response_model=case_views.CasePublic, responses=ACT_ERRORS)
def take_action(
    case_id: Id,
    action: Annotated[str, Path(max_length=50, pattern=r"^[a-z_]+$")],
    body: ActionRequest,
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> case_views.CasePublic:
    """Take an action; a retry with the same Idempotency-Key returns the case without acting twice."""
    response: case_views.CasePublic = cases.apply_action(
        session=session,
        actor=actor,
        case_id=case_id,
        action=action,
        expected_version=body.expected_version,
        comment=body.comment,
        data=body.data,
        idempotency_key=idempotency_key,
        now=clock.now(),
        respond=lambda outcome: case_views.describe(session, outcome.situation, today=clock.today()),
    )
    return response


@router.get("/cases/{case_id}/events", response_model=list[history.HistoryEntry], responses=NOT_FOUND)
def get_events(case: VisibleCase, actor: ActorDep, session: SessionDep) -> list[history.HistoryEntry]:
    """The append-only history: who did what, when, from which state to which."""
    return history.history(session, case, shown=shown_visibilities(session, actor, case))
