"""Economic change requests for `seed-demo --scale`: budget moves a plan's lines can pay, the LBF step the default
policy asks for, and the budget rows the engine writes when a case is implemented (service.cases.budget).

Money is promised when a case is generated (its source line can no longer pay another case), moved to the target
line when its course implements it, and given back when the case ends otherwise; so no line goes below zero.
"""

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from service.cases.budget import deltas
from service.persistence.tables import ActivityArea, BudgetLine
from workflows.guards import lbf_needed_by_default

LINES, AREAS = BudgetLine.__table__, ActivityArea.__table__  # type: ignore[attr-defined]
Line = tuple[str, int, str]  # activity area code, year, funder


@dataclass
class Ledger:
    """The plans' budget lines as the generated cases leave them."""

    held: dict[int, dict[Line, int]]  # plan → line → amount not promised to an open case
    ids: dict[tuple[int, Line], int]  # (plan, line) → budget_lines.id
    areas: dict[str, int]  # activity area code → id
    changed: Counter[int] = field(default_factory=Counter)  # budget_lines.id → amount moved, not yet written


def ledger(connection: Connection) -> Ledger:
    query = select(LINES.c.id, LINES.c.plan_id, AREAS.c.code, LINES.c.year, LINES.c.funder, LINES.c.amount_dkk).join(
        AREAS, AREAS.c.id == LINES.c.activity_area_id
    )
    held: dict[int, dict[Line, int]] = {}
    ids: dict[tuple[int, Line], int] = {}
    for line_id, plan, area, year, funder, amount in connection.execute(query):
        held.setdefault(plan, {})[(area, year, str(funder))] = int(amount)
        ids[(plan, (area, year, str(funder)))] = line_id
    areas: dict[str, int] = {code: i for code, i in connection.execute(select(AREAS.c.code, AREAS.c.id))}
    return Ledger(held, ids, areas)


def economic(book: Ledger, plan: int, rng: random.Random) -> dict[str, Any] | None:
    """One move between two of the plan's lines with the same funder: between years of an area, or (one in three)
    between areas, which LBF must approve; None when the plan has no money to move."""
    lines = book.held.get(plan, {})
    sources = [line for line, amount in lines.items() if amount >= 20_000]
    if not sources:
        return None
    source = rng.choice(sources)
    between = rng.random() < 1 / 3
    targets = [t for t in lines if t != source and t[2] == source[2] and (t[0] != source[0]) == between]
    if not targets:
        return None
    target = rng.choice(targets)
    amount = min(lines[source] // 4 // 5000 * 5000, rng.randrange(2, 31) * 5000)
    lines[source] -= amount  # promised
    move = dict(zip(("from_area", "from_year", "from_funder"), source, strict=True))
    move |= dict(zip(("to_area", "to_year", "to_funder"), target, strict=True), amount_dkk=amount)
    description = f"Flyt {amount:,} kr. fra {source[0]} {source[1]} til {target[0]} {target[1]}".replace(",", ".")
    return {"kind": "economic", "change_description": description, "budget_moves": [move]}


def screened(data: dict[str, Any]) -> dict[str, Any]:
    """The case's data after screening: whether LBF must approve, by the default policy."""
    return data | {"material": False, "lbf_approval_needed": lbf_needed_by_default(data, material=False)}


def allowed(data: dict[str, Any]) -> Callable[[str, list[str]], list[str]]:
    """The moves a change request's guards let through: after the board's approval, LBF if the policy asks for it."""
    needs = bool(screened(data)["lbf_approval_needed"])

    def narrow(state: str, options: list[str]) -> list[str]:
        if state == "approved":
            return [o for o in options if o == ("send_to_lbf" if needs else "implement")]
        return options

    return narrow


def settle(book: Ledger, *, plan: int, case_id: int, event_id: int | None, data: dict[str, Any]) -> list[dict[str, Any]]:
    """A finished economic case: implemented (event_id given) moves its money, otherwise the promise is released.

    Returns the `budget_changes` rows of an implemented case."""
    net = deltas(data)
    lines = book.held[plan]
    if event_id is None:
        for line, delta in net.items():
            lines[line] -= min(delta, 0)  # the source gets its promised amount back
        return []
    rows = []
    for (area, year, funder), delta in net.items():
        lines[(area, year, funder)] += max(delta, 0)  # the target can pay later cases
        book.changed[book.ids[(plan, (area, year, funder))]] += delta
        rows.append(
            dict(
                plan_id=plan,
                case_id=case_id,
                event_id=event_id,
                activity_area_id=book.areas[area],
                year=year,
                funder=funder,
                delta_dkk=delta,
            )
        )
    return rows


def write_lines(connection: Connection, book: Ledger) -> None:
    """Apply the moved amounts to `budget_lines`."""
    for line_id, delta in sorted(book.changed.items()):
        connection.execute(update(LINES).where(LINES.c.id == line_id).values(amount_dkk=LINES.c.amount_dkk + delta))
    book.changed.clear()
