"""A plan's budget: whether budget moves are feasible, applying them, and the history of approved changes.

A move is feasible (domain.md §3.1) when every line it touches lies inside the plan's grant period and it never
takes more from a line than the line holds, after the moves of the plan's other approved but not yet
implemented changes. Checked at submission and again when the change is implemented.
"""

from collections import defaultdict
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, SQLModel, col, select

from service.errors import Conflict, Invalid
from service.persistence.case_tables import CASES
from service.persistence.tables import ActivityArea, Plan
from workflows.registry import WORKFLOWS

BUDGET = SQLModel.metadata.tables["budget_lines"]
BUDGET_CHANGES = SQLModel.metadata.tables["budget_changes"]
Line = tuple[str, int, str]  # activity area code, year, funder


def deltas(data: dict[str, Any]) -> dict[Line, int]:
    """The net change per budget line of a case's moves."""
    net: dict[Line, int] = defaultdict(int)
    for move in data.get("budget_moves") or []:
        for side, sign in (("from", -1), ("to", 1)):
            if move.get(f"{side}_area"):
                net[(move[f"{side}_area"], move[f"{side}_year"], move[f"{side}_funder"])] += sign * move["amount_dkk"]
    return net


def _held(session: Session, plan_id: int) -> dict[Line, int]:
    rows = session.connection().execute(
        select(ActivityArea.code, BUDGET.c.year, BUDGET.c.funder, BUDGET.c.amount_dkk)
        .join(BUDGET, BUDGET.c.activity_area_id == col(ActivityArea.id))
        .where(BUDGET.c.plan_id == plan_id)
    )
    return {(area, year, funder): amount for area, year, funder, amount in rows}


def _promised(session: Session, plan_id: int, case_id: int | None) -> dict[Line, int]:
    """The net moves of the plan's other changes that are approved but not yet applied to the budget."""
    promised: dict[Line, int] = defaultdict(int)
    query = select(CASES.c.case_type, CASES.c.state, CASES.c.data).where(
        CASES.c.plan_id == plan_id, CASES.c.is_open, CASES.c.id != (case_id or 0)
    )
    for case_type, state, data in session.connection().execute(query):
        if state in WORKFLOWS[case_type].budget_committed_in:
            for line, delta in deltas(data).items():
                promised[line] += delta
    return promised


def check_moves(session: Session, *, plan_id: int, case_id: int | None, data: dict[str, Any]) -> None:
    """Refuse (422, naming the move) moves outside the grant period or taking more than a line will hold."""
    plan = session.get(Plan, plan_id)
    moves = data.get("budget_moves") or []
    if plan is None or not moves:
        return
    first, last = plan.period_start.year, plan.period_end.year
    for i, move in enumerate(moves):
        for side in ("from", "to"):
            year = move.get(f"{side}_year")
            if year is not None and not first <= year <= last:
                _refuse(
                    i,
                    side,
                    f"the year {year} lies outside the plan's grant period {first}–{last}",
                    f"året {year} ligger uden for planens bevillingsperiode {first}–{last}",
                )
    held, promised = _held(session, plan_id), _promised(session, plan_id, case_id)
    for line, delta in deltas(data).items():
        available = held.get(line, 0) + min(promised.get(line, 0), 0)
        if delta < 0 and available + delta < 0:
            i = next(i for i, m in enumerate(moves) if _from_line(m) == line)
            area, year, funder = line
            _refuse(
                i,
                "from",
                f"budget line {area} {year} {funder} holds {available:,} kr. available; cannot take {-delta:,} kr.",
                f"budgetposten {area} {year} {funder} har {available:,} kr. til rådighed; kan ikke afgive {-delta:,} kr.",
            )


def _from_line(move: dict[str, Any]) -> tuple[Any, Any, Any]:
    return move.get("from_area"), move.get("from_year"), move.get("from_funder")


def _refuse(index: int, side: str, reason: str, reason_da: str) -> None:
    field = f"data.budget_moves.{index}.{side}_area"
    end = lambda text: text if text.endswith(".") else f"{text}."  # noqa: E731
    raise Invalid(
        f"The request is not valid: {field}: {end(reason)}",
        [{"field": field, "message": reason}],
        da=f"Forespørgslen er ikke gyldig: {field}: {end(reason_da)}",
    )


def apply_moves(session: Session, *, plan_id: int, case_id: int, event_id: int, data: dict[str, Any]) -> None:
    """Check the moves again, then change the plan's budget lines by them and record each change."""
    check_moves(session, plan_id=plan_id, case_id=case_id, data=data)
    connection = session.connection()
    areas = {code: area_id for code, area_id in connection.execute(select(ActivityArea.code, ActivityArea.id))}
    net = deltas(data)
    # Lines are changed in one fixed order, so two cases moving money between the same lines cannot deadlock.
    for (area, year, funder), delta in sorted(net.items()):
        where = (
            BUDGET.c.plan_id == plan_id,
            BUDGET.c.activity_area_id == areas[area],
            BUDGET.c.year == year,
            BUDGET.c.funder == funder,
        )
        changed = connection.execute(
            update(BUDGET).where(*where, BUDGET.c.amount_dkk + delta >= 0).values(amount_dkk=BUDGET.c.amount_dkk + delta)
        ).rowcount
        if not changed and delta < 0:  # another change took the money at the same moment
            raise Conflict(
                f"Budget line {area} {year} {funder} changed at the same moment; try again.",
                da=f"Budgetposten {area} {year} {funder} blev ændret i samme øjeblik; prøv igen.",
            )
        if not changed:  # a line inside the grant period that had no money yet
            connection.execute(
                insert(BUDGET),
                dict(plan_id=plan_id, activity_area_id=areas[area], year=year, funder=funder, amount_dkk=delta),
            )
    changes = [  # the budget history lists them in the order the case moves money: from, then to
        dict(
            plan_id=plan_id,
            case_id=case_id,
            event_id=event_id,
            activity_area_id=areas[area],
            year=year,
            funder=funder,
            delta_dkk=delta,
        )
        for (area, year, funder), delta in net.items()
    ]
    if changes:
        connection.execute(insert(BUDGET_CHANGES), changes)
