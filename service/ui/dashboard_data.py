"""What the dashboard pages fetch besides themselves: chart SVGs, table downloads, and the cases behind a number."""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import ColumnElement, and_, func, or_, select

from service.cases.visibility import sees_everything
from service.deps import SessionDep
from service.persistence.case_tables import CASES
from service.persistence.stats_tables import INTERVALS
from service.stats import charts, labels, lead_times, tables
from service.stats.answers import (
    Asking,
    expected_on,
    forecast_table,
    lbf_expected_in,
    lead_time_table,
    open_case_table,
    throughput_table,
    time_in_state_table,
)
from service.stats.filters import day_start, keys, period
from service.stats.slips import slipped
from service.stats.states import split
from service.ui.dashboards import FiltersDep, asking, context
from service.ui.i18n import translator
from service.ui.views import render, to_login
from workflows.registry import WORKFLOWS

router = APIRouter(include_in_schema=False)
SVG = "image/svg+xml"
DRAWN: OrderedDict[tuple[Any, ...], str | None] = OrderedDict()
TABLES = {"lead-times", "time-in-state", "open-cases", "throughput", "forecasts"}


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
    if name == "forecasts":
        return list(forecast_table(ask)["meetings"])
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


@dataclass(frozen=True)
class Behind:
    """Which number's cases: a state they stayed in, open or closed, the month they ended, the day they are expected
    to be decided, how their agenda stays ended (decided / slipped), the month LBF's answer is expected."""

    state: str | None = None
    open: bool | None = None
    ended: str | None = None
    expected: date | None = None
    agenda: str | None = None
    lbf_month: str | None = None
    lbf: str | None = None  # waiting / after_meeting


def _month(month: str) -> tuple[int, int]:
    first = date.fromisoformat(f"{month}-01")
    return day_start(first), day_start(date(first.year + first.month // 12, first.month % 12 + 1, 1))


def _agenda(decided: bool) -> ColumnElement[bool]:
    """Stays on a meeting's agenda that ended in a decision (or that slipped: postponed or withdrawn)."""
    ways = []
    for key, workflow in WORKFLOWS.items():
        if workflow.on_agenda:
            went = INTERVALS.c.left_to.in_(sorted(slipped(workflow)))
            ways.append(
                and_(INTERVALS.c.case_type == key, INTERVALS.c.state == workflow.on_agenda, ~went if decided else went)
            )
    return and_(INTERVALS.c.left_to.is_not(None), or_(*ways))


def conditions(ask: Asking, b: Behind) -> list[ColumnElement[bool]]:
    where = [keys(ask.filters), period(INTERVALS.c.opened_at, ask.filters), ask.visible]
    if b.expected is not None:
        where.append(INTERVALS.c.case_id.in_(expected_on(ask, b.expected)))
    if b.lbf_month is not None:
        where.append(INTERVALS.c.case_id.in_(lbf_expected_in(ask, b.lbf_month, b.lbf)))
    if b.agenda is not None:
        where.append(_agenda(b.agenda == "decided"))
    elif b.state is not None:
        where.append(INTERVALS.c.state == b.state)
    else:
        where.append(INTERVALS.c.left_at.is_(None))
    if b.open is not None:
        where.append(INTERVALS.c.wait != "done" if b.open else INTERVALS.c.wait == "done")
    if b.ended:
        start, end = _month(b.ended)
        where += [INTERVALS.c.wait == "done", INTERVALS.c.entered_at >= start, INTERVALS.c.entered_at < end]
    return where


def behind(ask: Asking, b: Behind) -> tuple[list[Any], int]:
    """The cases behind a number: up to 200 of them, and how many there are."""
    ids = select(INTERVALS.c.case_id).where(and_(*conditions(ask, b))).distinct().subquery()
    connection = ask.session.connection()
    total = connection.execute(select(func.count()).select_from(ids)).scalar_one()
    rows = connection.execute(
        select(CASES.c.id, CASES.c.reference, CASES.c.title, CASES.c.case_type, CASES.c.state, CASES.c.is_open)
        .where(CASES.c.id.in_(select(ids.c.case_id)))
        .order_by(CASES.c.id)
        .limit(200)
    ).all()
    return list(rows), total


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
) -> Response:
    ask = asking(request, session, filters)
    if ask is None:
        return to_login(request)
    rows, total = behind(ask, Behind(state, open, ended, expected, agenda, lbf_month, lbf))
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
