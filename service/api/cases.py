"""Cases over HTTP: open, list, read, act, and read the history. Visibility comes from service/visibility.py."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Response
from pydantic import BaseModel, Field

from service import case_views, cases
from service.deps import ActorDep, SessionDep
from service.visibility import shown_visibilities, visible_case
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


class CaseCreate(BaseModel):
    case_type: str = Field(max_length=50, examples=["change_request"])
    plan_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    board_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    data: dict[str, Any] = Field(default_factory=dict)


class ActionRequest(BaseModel):
    expected_version: int = Field(ge=1, le=2**31, description="The version you read; a newer one is a 409")
    comment: str = Field(default="", max_length=20_000)
    data: dict[str, Any] = Field(default_factory=dict)


@router.post("/cases", status_code=201, response_model=case_views.CasePublic, responses={**ACT_ERRORS})
def open_case(body: CaseCreate, actor: ActorDep, session: SessionDep, response: Response) -> case_views.CasePublic:
    """Open a case of a type for a plan (or, for a charter, a district board)."""
    case = cases.open_case(session, actor=actor, **body.model_dump())
    response.headers["Location"] = f"/api/v1/cases/{case.id}"
    return case_views.describe(session, case, actor)


@router.get("/cases", response_model=case_views.CasePage)
def list_cases(
    actor: ActorDep,
    session: SessionDep,
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
    filters = dict(case_type=case_type, state=state, plan_id=plan_id, district_id=district_id, board_id=board_id,
                   open=open, overdue=overdue, actionable=actionable, q=q)  # fmt: skip
    return case_views.list_cases(session, actor, filters=filters, sort=sort, limit=limit, offset=offset)


@router.get("/cases/{case_id}", response_model=case_views.CasePublic, responses=NOT_FOUND)
def get_case(case_id: Id, actor: ActorDep, session: SessionDep) -> case_views.CasePublic:
    """One case, with its deadlines and the actions you may take now (and why others are refused)."""
    return case_views.describe(session, visible_case(session, actor, case_id), actor)


@router.post("/cases/{case_id}/actions/{action}", response_model=case_views.CasePublic, responses=ACT_ERRORS)
def take_action(
    case_id: Id,
    action: Annotated[str, Path(max_length=50, pattern=r"^[a-z_]+$")],
    body: ActionRequest,
    actor: ActorDep,
    session: SessionDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> case_views.CasePublic:
    """Take an action; a retry with the same Idempotency-Key returns the case without acting twice."""
    visible_case(session, actor, case_id)
    case = cases.apply_action(
        session, actor=actor, case_id=case_id, action=action, expected_version=body.expected_version,
        comment=body.comment, data=body.data, idempotency_key=idempotency_key,
    )  # fmt: skip
    return case_views.describe(session, case, actor)


@router.get("/cases/{case_id}/events", response_model=list[case_views.HistoryEntry], responses=NOT_FOUND)
def get_events(case_id: Id, actor: ActorDep, session: SessionDep) -> list[case_views.HistoryEntry]:
    """The append-only history: who did what, when, from which state to which."""
    case = visible_case(session, actor, case_id)
    return case_views.history(session, case, shown=shown_visibilities(session, actor, case))
