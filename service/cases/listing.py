"""Which cases a list shows and in what order, as one SQL query: the API's list, the UI's /sager and its export.

Filtering, sorting and paging happen in the database, so a page of a register of 100,000 cases costs one query
for its rows and one for the count. Visibility comes first and is never widened (service/cases/visibility.py).
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, true
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from service.authz import Actor
from service.cases.overdue import overdue_clause
from service.cases.visibility import readable_comments, visible
from service.persistence.case_tables import Case, CaseComment, CaseDeadline, DeadlineStatus
from service.persistence.tables import Plan
from workflows.registry import WORKFLOWS

COLUMNS = ("reference", "title", "case_type", "state", "id")  # sorted by the stored value


def matching(session: Session, actor: Actor, filters: dict[str, Any], *, today: date) -> SelectOfScalar[Case]:
    """The visible cases matching the filters (case type, state, plan, district, board, open, overdue, text)."""
    query = select(Case).where(visible(session, actor))
    for name in ("case_type", "state", "plan_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(Case, name) == filters[name])
    if filters.get("board_id") is not None:  # the deciding body, or the board a charter belongs to
        query = query.where(
            or_(col(Case.board_id) == filters["board_id"], col(Case.deciding_board_id) == filters["board_id"])
        )
    if filters.get("district_id") is not None:
        query = query.where(col(Case.plan_id).in_(select(Plan.id).where(Plan.district_id == filters["district_id"])))
    if filters.get("open") is not None:
        query = query.where(col(Case.is_open) == filters["open"])
    if filters.get("overdue"):
        late = select(CaseDeadline.case_id).where(overdue_clause(CaseDeadline, today))
        query = query.where(col(Case.id).in_(late))
    if filters.get("q"):
        query = query.where(text_match(session, filters["q"], readable=readable_comments(actor)))
    return query


def ordered(query: SelectOfScalar[Case], sort: str, *, lang: str | None = None) -> SelectOfScalar[Case]:
    """Sorted by `sort` (a column, "plan" or "deadline"; `-` first for descending), then by id. With a `lang`, case types and
    states sort by their names in that language, as the page shows them; without, by their keys (the API)."""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key == "plan":
        query = query.outerjoin(Plan, col(Plan.id) == col(Case.plan_id))
        value: Any = col(Plan.code)
    elif key == "deadline":
        query, value = with_next_due(query)
    elif key in ("case_type", "state") and lang is not None:
        value = _label_rank(key, lang)
    else:
        value = col(getattr(Case, key if key in COLUMNS else "id"))
    first = value.desc() if descending else value.asc()
    return query.order_by(first.nulls_last(), col(Case.id).desc() if descending else col(Case.id))


def with_next_due(query: SelectOfScalar[Case]) -> tuple[SelectOfScalar[Case], Any]:
    """The query joined to each case's soonest open deadline, and that date's column (NULL for none).

    One grouped pass over the open deadlines: a correlated subquery per case made SQLite scan them all per row."""
    soonest = (
        select(CaseDeadline.case_id, func.min(CaseDeadline.due_on).label("due_on"))
        .where(CaseDeadline.status == DeadlineStatus.open)
        .group_by(col(CaseDeadline.case_id))
        .subquery()
    )
    return query.outerjoin(soonest, soonest.c.case_id == col(Case.id)), soonest.c.due_on


def _label_rank(key: str, lang: str) -> Any:
    """Each case type's (or state's) place among the names in `lang`, Danish alphabet order (… z, æ, ø, å)."""
    if key == "case_type":
        types = {w.key: getattr(w, lang) for w in WORKFLOWS.values()}
        places = _places(types.values())
        return case({k: places[name] for k, name in types.items()}, value=col(Case.case_type))
    states = {(w.key, s.name): getattr(s, lang) for w in WORKFLOWS.values() for s in w.states}
    places = _places(states.values())
    return case(*((and_(col(Case.case_type) == t, col(Case.state) == s), places[n]) for (t, s), n in states.items()))


def _places(names: Iterable[str]) -> dict[str, int]:
    return {name: i for i, name in enumerate(sorted(set(names), key=danish_order))}


def danish_order(name: str) -> str:
    """A sort key in Danish alphabet order (æ, ø, å after z)."""
    return name.lower().translate(str.maketrans("æøå", "{|}"))  # the three letters after z, in Danish order


def text_match(session: Session, q: str, *, readable: Any = None) -> Any:
    """Reference, title, description or a `readable` comment contains `q`: Danish full-text search on PostgreSQL
    (stemmed, so "lektiecaféer" finds "lektiecafé") with the title also as a substring, as on SQLite, where every
    field is searched as a case-insensitive substring."""
    pattern = f"%{q.lower()}%"
    readable = true() if readable is None else readable
    if session.get_bind().dialect.name == "postgresql":
        query = func.plainto_tsquery("danish", q)
        document = func.to_tsvector("danish", func.concat_ws(" ", col(Case.title), col(Case.description)))
        commented = select(CaseComment.case_id).where(
            readable, func.to_tsvector("danish", col(CaseComment.body)).op("@@")(query)
        )
        return or_(
            document.op("@@")(query),
            func.lower(col(Case.title)).like(pattern),  # a word's beginning too: "lektie" finds "Lektiecafé"
            func.lower(col(Case.reference)).like(pattern),
            col(Case.id).in_(commented),
            col(Case.plan_id).in_(_plans_named(pattern)),
        )
    commented = select(CaseComment.case_id).where(readable, func.lower(col(CaseComment.body)).like(pattern))
    fields = (Case.reference, Case.title, Case.description)
    return or_(
        *(func.lower(col(c)).like(pattern) for c in fields),
        col(Case.id).in_(commented),
        col(Case.plan_id).in_(_plans_named(pattern)),
    )


def _plans_named(pattern: str) -> Any:
    """Plans whose code or name contains the search ("HP-10", "Husum"): their cases match too."""
    return select(Plan.id).where(or_(func.lower(col(Plan.code)).like(pattern), func.lower(col(Plan.name)).like(pattern)))


def count(session: Session, query: SelectOfScalar[Case]) -> int:
    """How many rows the query finds in all (its order dropped: the count needs none)."""
    return int(session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one())
