"""What the dashboard pages fetch besides themselves: chart SVGs, table downloads, and the cases behind a number."""

from collections import OrderedDict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service.cases.visibility import sees_everything
from service.deps import SessionDep
from service.stats import charts, labels, lead_times, tables
from service.stats.answers import (
    Asking,
    forecast_table,
    lead_time_table,
    open_case_table,
    throughput_table,
    time_in_state_table,
)
from service.stats.states import split
from service.ui.dashboard_behind import Behind, behind
from service.ui.dashboards import FiltersDep, asking, context
from service.ui.i18n import translator
from service.ui.views import render, to_login

router = APIRouter(include_in_schema=False)
SVG = "image/svg+xml"
DRAWN: OrderedDict[tuple[Any, ...], str | None] = OrderedDict()
# The forecast page's tables by their download name (the table's id on the page) and their key in forecast_table.
FORECASTS = {"forecasts-decisions": "decisions", "forecasts": "meetings", "forecasts-lbf": "lbf", "forecasts-held": "held"}
TABLES = {"lead-times", "time-in-state", "open-cases", "throughput", *FORECASTS}


def chart(ask: Asking, name: str, group_by: str, unit: str) -> str | None:
    t = translator(ask.lang)
    empty, axis = t("no_data"), t(f"unit.{unit}")
    names = labels.names(ask.session.connection(), "case_type", ask.lang)
    if name == "survival":
        found = lead_times.curves(ask.current, filters=ask.filters, visible=ask.visible_ids, unit=unit, now=ask.now)
        return charts.survival(found, names, axis, empty)
    if name == "lead-times":
        return charts.quantile_bars(lead_time_table(ask, group_by, unit), axis, empty)
    if name == "wait-split":
        waits = {w: t(f"wait.{w}") for w in charts.WAIT_COLOURS}
        return charts.wait_split(split(time_in_state_table(ask)), names, waits, empty)
    if name == "flow":
        words = {"completed": t("completed"), "in_progress": t("in_progress")}
        return charts.cumulative_flow(throughput_table(ask), words, empty)
    if name == "aging":
        aging = open_case_table(ask, limit=1)
        return charts.age_bars(aging["buckets"], [t(f"age.{i}") for i in range(5)], empty)
    return None


@router.get("/statistik/diagram/{name}.svg")
def chart_svg(
    request: Request, session: SessionDep, filters: FiltersDep, name: str, group_by: str = "case_type", unit: str = "days"
) -> Response:
    ask = asking(request, session, filters)
    if ask is None:
        return Response(status_code=401)
    group_by = group_by if group_by in lead_times.GROUPS else "case_type"
    viewer = "all" if sees_everything(ask.actor) else ask.actor.user_id
    # The same chart for the same viewer is drawn once per minute and history version (drawing costs ~0.1 s).
    key = (name, group_by, unit, ask.filters, ask.lang, viewer, ask.current.last_event, ask.now // 60)
    drawn = DRAWN.get(key)
    if drawn is None:
        drawn = chart(ask, name, group_by, unit)
        DRAWN[key] = drawn
        while len(DRAWN) > 128:
            DRAWN.popitem(last=False)
    if drawn is None:
        return Response(status_code=404)
    return Response(drawn, media_type=SVG, headers={"Cache-Control": "private, max-age=60"})


def table(ask: Asking, name: str, group_by: str, unit: str) -> list[dict[str, Any]]:
    if name == "lead-times":
        return lead_time_table(ask, group_by, unit)
    if name == "time-in-state":
        return time_in_state_table(ask)
    if name == "open-cases":
        return list(open_case_table(ask, limit=100_000)["items"])
    if name in FORECASTS:
        return list(forecast_table(ask)[FORECASTS[name]])
    return throughput_table(ask)


@router.get("/statistik/tabel/{name}.{fmt}")
def table_download(
    request: Request,
    session: SessionDep,
    filters: FiltersDep,
    name: str,
    fmt: str,
    group_by: str = "case_type",
    unit: str = "days",
) -> Response:
    ask = asking(request, session, filters)
    if ask is None:
        return to_login(request)
    if name not in TABLES or fmt not in ("csv", "xlsx"):
        return Response(status_code=404)
    rows = table(ask, name, group_by if group_by in lead_times.GROUPS else "case_type", unit)
    disposition = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    if fmt == "csv":
        return Response(tables.to_csv(rows), media_type=tables.CSV, headers=disposition)
    return Response(tables.to_xlsx(rows, name), media_type=tables.XLSX, headers=disposition)


@router.get("/statistik/sager")
def cases_behind(
    request: Request,
    session: SessionDep,
    filters: FiltersDep,
    state: Annotated[str | None, Query(max_length=50)] = None,
    open: bool | None = None,
    ended: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    expected: date | None = None,
    agenda: Annotated[str | None, Query(pattern="^(decided|slipped)$")] = None,
    lbf_month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    lbf: Annotated[str | None, Query(pattern="^(waiting|after_meeting)$")] = None,
    overdue: bool = False,
    wip: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    wait: Annotated[str | None, Query(pattern="^(work|meeting|lbf|parties)$")] = None,
    decision: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    decision_overdue: bool = False,
) -> Response:
    ask = asking(request, session, filters)
    if ask is None:
        return to_login(request)
    chosen = Behind(state, open, ended, expected, agenda, lbf_month, lbf, overdue, wip, wait, decision, decision_overdue)
    rows, total = behind(ask, chosen)
    states = {(r.case_type, r.state): labels.state_name(r.case_type, r.state, ask.lang) for r in rows}
    return render(
        request,
        "dashboard_cases.html",
        rows=rows,
        total=total,
        states=states,
        state=state,
        open=open,
        ended=ended,
        **context(ask, "sager"),
    )
