"""The register, read-only: districts, organisations, activity areas, plans, boards and meetings."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator, BeforeValidator

from service import register, schemas
from service.deps import CurrentUser, SessionDep
from service.persistence.tables import OrganisationKind
from workflows import calendar
from workflows.schemas import MAX_ID

ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "Not logged in"}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"description": "No such entry"}}
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="The entry's numeric id")]

router = APIRouter(tags=["register"], responses=ERRORS)


def _iso(value: object) -> object:
    """Only ISO 8601 text is a time here; pydantic would also read a bare number as a Unix timestamp."""
    if isinstance(value, str) and value.strip().lstrip("-+").replace(".", "", 1).isdigit():
        raise ValueError("give an ISO 8601 date-time, e.g. 2016-06-01T00:00:00Z")
    return value


def _local_when_naive(value: datetime) -> datetime:
    """A time without a zone (`2016-06-01`) is Copenhagen time, the time the boards meet in."""
    return value if value.tzinfo is not None else value.replace(tzinfo=calendar.LOCAL)


IsoDateTime = Annotated[datetime, BeforeValidator(_iso), AfterValidator(_local_when_naive)]


@router.get("/districts", response_model=list[schemas.DistrictPublic])
def list_districts(_user: CurrentUser, session: SessionDep) -> list[schemas.DistrictPublic]:
    """The five board districts (bydele) with their district boards."""
    return register.list_districts(session=session)


@router.get("/organisations", response_model=list[schemas.OrganisationPublic])
def list_organisations(
    _user: CurrentUser, session: SessionDep, kind: OrganisationKind | None = None
) -> list[schemas.OrganisationPublic]:
    """Housing organisations, administrators, City administrations, the secretariat and LBF."""
    return register.list_organisations(session=session, kind=kind)


@router.get("/activity-areas", response_model=list[schemas.ActivityAreaPublic])
def list_activity_areas(_user: CurrentUser, session: SessionDep) -> list[schemas.ActivityAreaPublic]:
    """The budget pillars (indsatsområder) of the 2015–18 plans."""
    return register.list_activity_areas(session=session)


@router.get("/plans", response_model=list[schemas.PlanPublic])
def list_plans(
    _user: CurrentUser,
    session: SessionDep,
    district_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[schemas.PlanPublic]:
    """Every master plan (helhedsplan) with its party housing organisations and deciding body."""
    return register.list_plans(session=session, district_id=district_id)


@router.get("/plans/{plan_id}", response_model=schemas.PlanDetail, responses=NOT_FOUND)
def get_plan(plan_id: Id, _user: CurrentUser, session: SessionDep) -> schemas.PlanDetail:
    """One plan: parties, deciding body, departments, grant, budget by activity area, strategic agreement."""
    return register.get_plan(session=session, plan_id=plan_id)


@router.get("/boards", response_model=list[schemas.BoardPublic])
def list_boards(_user: CurrentUser, session: SessionDep) -> list[schemas.BoardPublic]:
    """The central board, the five district boards and the local groups."""
    return register.list_boards(session=session)


@router.get("/boards/{board_id}", response_model=schemas.BoardDetail, responses=NOT_FOUND)
def get_board(board_id: Id, _user: CurrentUser, session: SessionDep) -> schemas.BoardDetail:
    """One board: members and whom they represent, the plans it decides on, its charter and meetings."""
    return register.get_board(session=session, board_id=board_id)
