"""Dashboard pages (/statistik): one per question of domain.md §7, each a chart with its numbers, filters and exports.

Charts are SVG drawn on the server (service.stats.charts) and fetched by <img>, so the page itself stays fast;
every number links to the cases behind it (/statistik/sager).
"""

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from service.authz import load_actor
from service.deps import SessionDep
from service.persistence.tables import District
from service.stats import labels
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
from service.ui.i18n import language
from service.ui.views import render, to_login, ui_user
from workflows.registry import WORKFLOWS
from workflows.schemas import MAX_ID

router = APIRouter(include_in_schema=False)
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
PAGES = {
    "gennemloebstid": "lead_times",
    "tid-i-status": "time_in_state",
    "aabne-sager": "open_cases",
    "flow": "flow",
    "prognose": "forecasts",
}


def page_filters(
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
    case_type: Annotated[str | None, Query(max_length=50)] = None,
    district_id: QueryId = None,
    plan_id: QueryId = None,
    board_id: QueryId = None,
) -> Filters:
    return Filters(
        start=from_, end=to, case_type=case_type or None, district_id=district_id, plan_id=plan_id, board_id=board_id
    )


FiltersDep = Annotated[Filters, Depends(page_filters)]


def asking(request: Request, session: Session, filters: Filters) -> Asking | None:
    """The logged-in user's question, or None when nobody is logged in."""
    user = ui_user(request, session)
    if user is None:
        return None
    clock = request.app.state.clock
    return Asking.of(session, load_actor(session, user, clock.today()), clock, filters, language(request), user=user)


def link(path: str, filters: Filters, **extra: Any) -> str:
    """A URL with the filters (and more) in its query string."""
    query = {k: v for k, v in ({**filters.query(), **extra}).items() if v not in (None, "")}
    return f"{path}?{urlencode(query)}" if query else path


def month_span(month: str) -> dict[str, str]:
    """The first and last day of a month (YYYY-MM), as the period of the cases opened in it."""
    first = date.fromisoformat(f"{month}-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return {"from": first.isoformat(), "to": (following - timedelta(days=1)).isoformat()}


def age_spans(today: date) -> list[dict[str, str]]:
    """The opening periods of the age buckets (under 30 days, 30–90, 90–180, 180–365, older)."""
    edges = [today - timedelta(days=d) for d in (0, 30, 90, 180, 365)]
    spans = [{"from": (edges[i + 1] + timedelta(days=1)).isoformat(), "to": edges[i].isoformat()} for i in range(4)]
    return [*spans, {"to": edges[4].isoformat()}]


def context(ask: Asking, page: str) -> dict[str, Any]:
    """What every dashboard page shows around its own table: the filters, the choices, the links."""
    districts = ask.session.exec(select(District).order_by(col(District.code))).all()
    return {
        "user": ask.user,
        "page": page,
        "filters": ask.filters,
        "f": ask.filters.query(),
        "link": link,
        "pages": PAGES,
        "case_types": {k: getattr(w, ask.lang) for k, w in WORKFLOWS.items()},
        "districts": districts,
    }


@router.get("/statistik")
@router.get("/statistik/gennemloebstid")
def lead_times_page(
    request: Request, session: SessionDep, filters: FiltersDep, group_by: str = "case_type", unit: str = "days"
) -> Response:
    ask = asking(request, session, filters)
    if ask is None:
        return to_login(request)
    group_by = group_by if group_by in ("case_type", "district", "plan", "board", "quarter") else "case_type"
    unit = unit if unit in ("days", "working_days") else "days"
    rows = lead_time_table(ask, group_by, unit)
    return render(
        request, "dashboard_lead_times.html", rows=rows, group_by=group_by, unit=unit, **context(ask, "gennemloebstid")
    )


@router.get("/statistik/tid-i-status")
def time_in_state_page(request: Request, session: SessionDep, filters: FiltersDep) -> Response:
    ask = asking(request, session, filters)
    if ask is None:
        return to_login(request)
    rows = time_in_state_table(ask)
    names = labels.names(session.connection(), "case_type", ask.lang)
    return render(
        request, "dashboard_time_in_state.html", rows=rows, split=split(rows), names=names, **context(ask, "tid-i-status")
    )


@router.get("/statistik/aabne-sager")
def open_cases_page(
    request: Request, session: SessionDep, filters: FiltersDep, sort: str = "age", offset: Annotated[int, Query(ge=0)] = 0
) -> Response:
    ask = asking(request, session, filters)
    if ask is None:
        return to_login(request)
    sort = sort if sort in ("age", "in_state", "reference") else "age"
    found = open_case_table(ask, sort, 50, offset)
    for item in found["items"]:
        item["state"] = labels.state_name(item["case_type"], item["state"], ask.lang)
    names = labels.names(session.connection(), "case_type", ask.lang)
    return render(
        request,
        "dashboard_open_cases.html",
        found=found,
        sort=sort,
        spans=age_spans(ask.today),
        offset=offset,
        names=names,
        **context(ask, "aabne-sager"),
    )


@router.get("/statistik/flow")
def flow_page(request: Request, session: SessionDep, filters: FiltersDep) -> Response:
    ask = asking(request, session, filters)
    if ask is None:
        return to_login(request)
    rows = [r | month_span(r["month"]) for r in throughput_table(ask)]
    return render(request, "dashboard_flow.html", rows=rows, **context(ask, "flow"))


@router.get("/statistik/prognose")
def forecast_page(request: Request, session: SessionDep, filters: FiltersDep) -> Response:
    ask = asking(request, session, filters)
    if ask is None:
        return to_login(request)
    return render(request, "dashboard_forecasts.html", found=forecast_table(ask), **context(ask, "prognose"))
