"""Dashboard statistics over HTTP (api.md `/stats/*`): JSON by default, each table also as CSV or Excel."""

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BeforeValidator

from service.deps import ActorDep, ClockDep, SessionDep
from service.stats import tables
from service.stats.answers import (
    Asking,
    forecast_table,
    lead_time_table,
    open_case_table,
    throughput_table,
    time_in_state_table,
)
from service.stats.filters import Filters
from service.stats.states import split
from workflows.schemas import MAX_ID

router = APIRouter(prefix="/stats", tags=["stats"], responses={401: {"description": "Not logged in"}})
# Each table is JSON by default, or with `format` a CSV or Excel download.
TABLE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/json": {},
            "text/csv": {"schema": {"type": "string"}},
            tables.XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "The statistics (JSON), or the table as CSV or Excel with `format`",
    },
}
Format = Literal["json", "csv", "xlsx"]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _iso_date(value: object) -> object:
    """Only an ISO 8601 date (2016-06-01) is a day here; pydantic would also read a bare number as a timestamp."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("give an ISO 8601 date, e.g. 2016-06-01")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def filters(
    from_: Annotated[IsoDate | None, Query(alias="from", description="First day of the period")] = None,
    to: Annotated[IsoDate | None, Query(description="Last day of the period")] = None,
    case_type: Annotated[str | None, Query(max_length=50)] = None,
    district_id: QueryId = None,
    plan_id: QueryId = None,
    board_id: QueryId = None,
) -> Filters:
    return Filters(start=from_, end=to, case_type=case_type, district_id=district_id, plan_id=plan_id, board_id=board_id)


FiltersDep = Annotated[Filters, Depends(filters)]


def asking(session: SessionDep, actor: ActorDep, clock: ClockDep, chosen: FiltersDep) -> Asking:
    return Asking.of(session, actor, clock, chosen)


AskDep = Annotated[Asking, Depends(asking)]


def answer(body: dict[str, Any], table: list[dict[str, Any]], name: str, format: Format) -> Any:
    """The JSON body, or just its table as a CSV or Excel download."""
    if format == "csv":
        return Response(
            tables.to_csv(table),
            media_type=tables.CSV,
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "xlsx":
        return Response(
            tables.to_xlsx(table, name),
            media_type=tables.XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return body


@router.get("/lead-times", responses=TABLE)
def lead_times(
    ask: AskDep,
    group_by: Literal["case_type", "district", "plan", "board", "quarter"] = "case_type",
    unit: Literal["days", "working_days"] = "days",
    format: Format = "json",
) -> Any:
    """Lead time per group: count, open count, and p50/p85/p95 by Kaplan–Meier (open cases count as still running)."""
    groups = lead_time_table(ask, group_by, unit)
    body = {"group_by": group_by, "unit": unit, **ask.filters.query(), "groups": groups}
    return answer(body, groups, "lead-times", format)


@router.get("/time-in-state", responses=TABLE)
def time_in_state(ask: AskDep, format: Format = "json") -> Any:
    """Mean, p50 and p85 days per state per case type, and the split into work / meeting / LBF / parties."""
    rows = time_in_state_table(ask)
    lbf = [r for r in rows if r["wait"] == "lbf"]
    body = {**ask.filters.query(), "states": rows, "split": split(rows), "lbf_response": lbf}
    return answer(body, rows, "time-in-state", format)


@router.get("/open-cases", responses=TABLE)
def open_cases(
    ask: AskDep,
    sort: Literal["age", "in_state", "reference"] = "age",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**7)] = 0,
    format: Format = "json",
) -> Any:
    """Open cases oldest first (or longest in their state), with age, time in state and overdue deadlines."""
    body = open_case_table(ask, sort, limit, offset)
    return answer({**ask.filters.query(), **body}, body["items"], "open-cases", format)


@router.get("/throughput", responses=TABLE)
def throughput(ask: AskDep, format: Format = "json") -> Any:
    """Arrivals and completions per month, with running totals (a cumulative flow)."""
    rows = throughput_table(ask)
    return answer({**ask.filters.query(), "months": rows}, rows, "throughput", format)


@router.get("/forecasts", responses=TABLE)
def forecasts(ask: AskDep, format: Format = "json") -> Any:
    """Upcoming meetings with the open cases expected to be decided there, and how often agenda items were decided."""
    body = forecast_table(ask)
    return answer({**ask.filters.query(), **body}, body["meetings"], "forecasts", format)
