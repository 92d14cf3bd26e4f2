"""A plan's budget: whether budget moves are feasible, applying them, and the history of approved changes.

A move is feasible (domain.md §3.1) when every line it touches lies inside the plan's grant period and it never
takes more from a line than the line holds, after the moves of the plan's other approved but not yet
implemented changes. Checked at submission and again when the change is implemented.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, SQLModel, col, select

from service.errors import Conflict, Invalid
from service.persistence.case_tables import CASES
from service.persistence.tables import ActivityArea, Plan
from workflows import guards
from workflows.case_types.change_request import TOTAL
from workflows.registry import WORKFLOWS
from workflows.schemas import FUNDERS

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


@dataclass(frozen=True)
class Problem:
    """Why moves cannot be made, as a sentence in both languages, and the row and side it concerns."""

    index: int
    side: str
    en: str
    da: str

    @property
    def field(self) -> str:
        return f"data.budget_moves.{self.index}.{self.side}_area"


@dataclass(frozen=True)
class LineChange:
    """A budget line the moves touch: what it holds now, what the plan's approved changes leave free, the change."""

    line: Line
    before: int
    available: int
    change: int

    @property
    def after(self) -> int:
        return self.before + self.change


def kroner(amount: int, lang: str) -> str:
    """40.000 kr. (Danish), DKK 40,000 (English)."""
    return f"{amount:,} kr.".replace(",", ".") if lang == "da" else f"DKK {amount:,}"


def available(session: Session, *, plan_id: int, case_id: int | None) -> dict[Line, int]:
    """What each of the plan's budget lines can give: what it holds, less what approved changes have promised."""
    held, promised = _held(session, plan_id), _promised(session, plan_id, case_id)
    return {line: amount + min(promised.get(line, 0), 0) for line, amount in held.items()}


def changes(session: Session, *, plan_id: int, case_id: int | None, data: dict[str, Any]) -> list[LineChange]:
    """Each line the moves touch, in the order they touch it, before and after."""
    held, free = _held(session, plan_id), available(session, plan_id=plan_id, case_id=case_id)
    return [LineChange(line, held.get(line, 0), free.get(line, 0), delta) for line, delta in deltas(data).items()]


def problems(session: Session, *, plan_id: int, case_id: int | None, data: dict[str, Any]) -> list[Problem]:
    """Moves outside the grant period, or taking more than a line can give (domain.md §3.1)."""
    plan = session.get(Plan, plan_id)
    moves = data.get("budget_moves") or []
    if plan is None or not moves:
        return []
    found = []
    first, last = plan.period_start.year, plan.period_end.year
    for i, move in enumerate(moves):
        for side in ("from", "to"):
            year = move.get(f"{side}_year")
            if year is not None and not first <= year <= last:
                found.append(
                    Problem(
                        i,
                        side,
                        f"The year {year} lies outside the plan's grant period {first}–{last}.",
                        f"Året {year} ligger uden for planens bevillingsperiode {first}–{last}.",
                    )
                )
    names = dict(session.exec(select(ActivityArea.code, ActivityArea.name_da)).all())
    for change in changes(session, plan_id=plan_id, case_id=case_id, data=data):
        if change.change < 0 and change.available + change.change < 0:
            i = next(i for i, m in enumerate(moves) if _from_line(m) == change.line)
            area, year, funder = change.line
            free, taken = change.available, -change.change
            found.append(
                Problem(
                    i,
                    "from",
                    f"Only {kroner(free, 'en')} is available on budget line {area} {year} {funder}; "
                    f"the moves take {kroner(taken, 'en')}.",
                    f"Der er kun {kroner(free, 'da')} til rådighed på {area} {names.get(area, '')} {year} "
                    f"({FUNDERS[funder][0]}); flytningerne tager {kroner(taken, 'da')}",  # "kr." ends the sentence
                )
            )
    return found


def imbalance(data: dict[str, Any]) -> Problem | None:
    """Moves that change the plan's total when the change does not say it does (the submit guard `is_balanced`)."""
    moves = data.get("budget_moves") or []
    if guards.moves_balance(data):
        return None
    i, one_sided = next((i, m) for i, m in enumerate(moves) if not (m.get("from_area") and m.get("to_area")))
    net = sum(deltas(data).values())
    ticked = f"»{TOTAL[0]}«", f"'{TOTAL[1]}'"
    if net:
        side_da, side_en = ("til", "to") if net < 0 else ("fra", "from")
        return Problem(
            i,
            "to" if net < 0 else "from",
            f"The moves do not balance: {kroner(abs(net), 'en')} is missing on a '{side_en}' line. "
            f"Tick {ticked[1]} if the plan's total is to change.",
            f"Flytningerne er ikke i balance: der mangler {kroner(abs(net), 'da')} på en {side_da}-linje. "
            f"Sæt kryds ved {ticked[0]}, hvis planens samlede budget skal ændres.",
        )
    side = "to" if one_sided.get("from_area") else "from"
    return Problem(
        i,
        side,
        f"The moves do not balance: move {i + 1} has only one side; give each move a 'from' and a 'to' line, "
        f"or tick {ticked[1]}.",
        f"Flytningerne er ikke i balance: flytning {i + 1} har kun én side; giv hver flytning både en fra- og en "
        f"til-linje, eller sæt kryds ved {ticked[0]}.",
    )


def check_moves(session: Session, *, plan_id: int, case_id: int | None, data: dict[str, Any]) -> None:
    """Refuse (422, naming the move) moves outside the grant period or taking more than a line will hold."""
    found = problems(session, plan_id=plan_id, case_id=case_id, data=data)
    if found:
        _refuse(found[0])


def _from_line(move: dict[str, Any]) -> tuple[Any, Any, Any]:
    return move.get("from_area"), move.get("from_year"), move.get("from_funder")


def _refuse(problem: Problem) -> None:
    field = problem.field
    raise Invalid(
        f"The request is not valid: {field}: {problem.en}",
        [{"field": field, "message": problem.en}],
        da=f"Forespørgslen er ikke gyldig: {field}: {problem.da}",
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
