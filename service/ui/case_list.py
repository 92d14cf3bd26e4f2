"""The case list (/sager): filters, text search, sortable columns, pages, and the whole list as CSV or Excel.

Everything the list shows is in its address (a GET form), so a filtered list can be bookmarked and sent on. The
filtering, sorting and paging are one SQL query (service.cases.listing); the export runs the same query without
pages and writes it with the dashboards' table writer (service.stats.tables). A filter value that is not valid is
left out with a message saying so, never an error page.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from service.cases import listing
from service.deps import SessionDep
from service.persistence.case_tables import Case
from service.persistence.tables import Board, BoardKind, District, Plan
from service.stats import tables
from service.ui.case_pages import actor_of, clock, labels, next_deadlines
from service.ui.i18n import language, translator
from service.ui.views import render, to_login, ui_user
from workflows.registry import WORKFLOWS

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
DEFAULT_SORT = "-reference"  # newest first
SHOWN = {"aabne": True, "lukkede": False, "alle": None}  # the open/closed choice: `vis`
COLUMNS = ("reference", "title", "case_type", "plan", "state", "deadline")


@dataclass
class Choices:
    """What the filter fields offer: names in the page's language, by value."""

    case_types: dict[str, str]
    states: dict[str, str]
    districts: dict[int, str]
    plans: dict[int, Plan]
    boards: dict[int, str]


@dataclass
class Asked:
    """The list the address asks for: the valid filters, the sort, the page, and what was left out and why."""

    filters: dict[str, Any]
    chosen: dict[str, str]  # the valid query parameters, for the form and every link
    sort: str
    page: int
    ignored: list[str] = field(default_factory=list)


def choices(session: Session, lang: str) -> Choices:
    return Choices(
        case_types={w.key: getattr(w, lang) for w in WORKFLOWS.values()},
        states=state_names(lang),
        districts={d.id or 0: d.name for d in session.exec(select(District).order_by(col(District.name)))},
        plans={p.id or 0: p for p in session.exec(select(Plan).order_by(col(Plan.code)))},
        boards={
            b.id or 0: b.name
            for b in session.exec(select(Board).where(Board.kind != BoardKind.local).order_by(col(Board.name)))
        },
    )


def state_names(lang: str) -> dict[str, str]:
    """Each state key with its names across the case types; a name two keys share says whose each is."""
    names: dict[str, set[str]] = {}
    types: dict[str, list[str]] = {}
    for w in WORKFLOWS.values():
        for s in w.states:
            names.setdefault(s.name, set()).add(getattr(s, lang))
            types.setdefault(s.name, []).append(getattr(w, lang))
    joined = {key: " / ".join(sorted(found)) for key, found in names.items()}
    shared = Counter(joined.values())
    named = {key: f"{n} ({', '.join(types[key])})" if shared[n] > 1 else n for key, n in joined.items()}
    return dict(sorted(named.items(), key=lambda kv: listing.danish_order(kv[1])))


def asked(request: Request, offered: Choices, lang: str) -> Asked:
    """Read the query string leniently: unknown values are reported and left out, a bad page number is page 1."""
    t, query = translator(lang), request.query_params
    found = Asked(filters={}, chosen={}, sort=DEFAULT_SORT, page=1)

    def keep(name: str, label: str, allowed: dict[str, Any]) -> None:
        value = query.get(name, "").strip()
        if value in allowed:
            found.filters[name], found.chosen[name] = allowed[value], value
        elif value:
            found.ignored.append(t("list.ignored").format(value=value[:60], field=t(label)))

    keep("case_type", "case_type", {k: k for k in offered.case_types})
    keep("state", "state", {k: k for k in offered.states})
    keep("district_id", "district", {str(i): i for i in offered.districts})
    keep("plan_id", "plan", {str(i): i for i in offered.plans})
    keep("board_id", "deciding_body", {str(i): i for i in offered.boards})
    shown = query.get("vis", "aabne")
    found.filters["open"] = SHOWN.get(shown, True)
    found.chosen["vis"] = shown if shown in SHOWN else "aabne"
    if query.get("overdue"):
        found.filters["overdue"], found.chosen["overdue"] = True, "1"
    q = query.get("q", "").replace("\x00", "").strip()[:200]
    if q:
        found.filters["q"], found.chosen["q"] = q, q
    sort = query.get("sort", DEFAULT_SORT)
    if sort.removeprefix("-") in COLUMNS and sort != DEFAULT_SORT:
        found.sort = found.chosen["sort"] = sort
    page = query.get("page", "1")
    found.page = max(1, int(page)) if page.isascii() and page.isdigit() and len(page) < 7 else 1
    return found


def link(path: str, chosen: dict[str, str], **more: Any) -> str:
    return f"{path}?{urlencode({**chosen, **more})}"


def page_numbers(page: int, last: int) -> list[int | None]:
    """The page links: the first, the last, and two either side of this one; None where pages are skipped."""
    near = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    shown: list[int | None] = []
    for n in near:
        if shown and n - (shown[-1] or 0) > 1:
            shown.append(None)
        shown.append(n)
    return shown


@router.get("/sager")
def case_list(request: Request, session: SessionDep) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    if request.query_params.get("vis") == "indbakke":  # the inbox became "Mine opgaver"
        return RedirectResponse("/opgaver", status_code=303)
    lang, today = language(request), clock(request).today()
    offered = choices(session, lang)
    ask = asked(request, offered, lang)
    found = listing.matching(session, actor_of(request, session, user), ask.filters, today=today)
    total = listing.count(session, found)
    last = max(1, -(-total // PER_PAGE))
    page = min(ask.page, last)
    shown = session.exec(listing.ordered(found, ask.sort, lang=lang).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render(
        request,
        "cases.html",
        user=user,
        cases=shown,
        total=total,
        first=(page - 1) * PER_PAGE + 1,
        page=page,
        pages=page_numbers(page, last),
        last=last,
        ask=ask,
        offered=offered,
        link=link,
        labels=labels(),
        due=next_deadlines(session, [c.id or 0 for c in shown]),
        today=today,
    )


@router.get("/sager.{fmt}")
def case_list_download(request: Request, session: SessionDep, fmt: str) -> Response:
    """The list as the page shows it, every page of it, as CSV or an Excel workbook; headings in the UI language."""
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    if fmt not in ("csv", "xlsx"):
        return render(request, "not_found.html", 404, user=user)
    lang = language(request)
    t, offered = translator(lang), choices(session, lang)
    ask = asked(request, offered, lang)
    found = listing.matching(session, actor_of(request, session, user), ask.filters, today=clock(request).today())
    joined, due_on = listing.with_next_due(listing.ordered(found, ask.sort, lang=lang))
    columns = (col(Case.reference), col(Case.title), col(Case.case_type), col(Case.plan_id), col(Case.state), due_on)
    query = joined.with_only_columns(*columns)
    names = labels()
    state_key = "state." if lang == "da" else "state_en."
    headings = [t(c if c != "deadline" else "next_deadline") for c in COLUMNS]
    rows = [
        dict(
            zip(
                headings,
                (
                    reference,
                    title,
                    names[case_type][lang],
                    offered.plans[plan_id].code if plan_id in offered.plans else "",
                    names[case_type][state_key + state],
                    due.isoformat() if due else "",
                ),
                strict=True,
            )
        )
        for reference, title, case_type, plan_id, state, due in session.connection().execute(query)
    ]
    name = t("cases").lower()
    disposition = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    if fmt == "csv":
        return Response(tables.to_csv(rows, headings), media_type=tables.CSV, headers=disposition)
    return Response(tables.to_xlsx(rows, t("cases"), headings), media_type=tables.XLSX, headers=disposition)
