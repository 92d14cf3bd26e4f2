"""The budget-move editor: what each chosen line has available, the budget before and after the moves, and whether
the moves can be made, from the engine's own checks (service/cases/budget.py), on the page and as it is typed.

The page's script asks `/sager/budgetflytninger` with the form's fields and shows the answer; the same words
refuse the form when it is sent, so a browser without the script is refused on submission instead.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from service.authz import load_actor
from service.cases import budget
from service.cases.visibility import visible_case
from service.deps import SessionDep
from service.errors import Invalid, ServiceError
from service.persistence.tables import Plan
from service.ui import case_context, forms, messages
from service.ui.i18n import amount, language, translator
from service.ui.views import templates, ui_user
from workflows.schemas import MAX_ID, BudgetMove

router = APIRouter(include_in_schema=False)
CHECK_URL = "/sager/budgetflytninger"


class Moves(BaseModel):
    budget_moves: list[BudgetMove]


ROW = forms.fields(Moves)[0].row  # the fields of one move, as the form names them


@dataclass(frozen=True)
class Editor:
    """What the editor shows beside the typed moves; `row` is the form row the message concerns."""

    available: dict[str, int]  # "<row>.<side>" -> what the line chosen there can give
    changes: list[budget.LineChange]
    message: str = ""
    row: int | None = None


def typed_rows(form: dict[str, str]) -> list[tuple[int, dict[str, Any]]]:
    """The filled rows of the form's moves, each with its row number in the form."""
    found = []
    for index in range(forms.MAX_ROWS + 1):
        row = forms.row_values(ROW, form, f"data.budget_moves.{index}.")
        if row:
            found.append((index, row))
    return found


def _line(row: dict[str, Any], side: str) -> budget.Line | None:
    area, year, funder = (row.get(f"{side}_{part}") for part in ("area", "year", "funder"))
    return (area, year, funder) if area and isinstance(year, int) and funder else None


def _invalid(position: int, row: dict[str, Any], lang: str) -> str:
    """The schema's objection to a row whose amount is typed (a row still being filled in is not judged yet)."""
    if "amount_dkk" not in row:
        return ""
    try:
        Moves.model_validate({"budget_moves": [row]})
    except ValidationError as error:
        found = [e | {"loc": ("budget_moves", position, *e["loc"][2:])} for e in error.errors()]
        return " ".join(f"{messages.one(e, lang)}." for e in found)
    return ""


def editor(
    session: Session, *, plan_id: int, case_id: int | None, rows: list[tuple[int, dict[str, Any]]], total: bool, lang: str
) -> Editor:
    """The editor's view of typed moves on a plan: rows the schema refuses first, then the engine's problems."""
    free = budget.available(session, plan_id=plan_id, case_id=case_id)
    chosen = {f"{i}.{side}": _line(row, side) for i, row in rows for side in ("from", "to")}
    available = {key: free.get(line, 0) for key, line in chosen.items() if line is not None}
    valid, where, message, at = [], [], "", None
    for position, (index, row) in enumerate(rows):
        objection = _invalid(position, row, lang)
        if objection and not message:
            message, at = objection, index
        if "amount_dkk" in row and not objection:
            valid.append(BudgetMove.model_validate(row).model_dump())
            where.append(index)
    data = {"budget_moves": valid, "changes_total": total}
    changes = budget.changes(session, plan_id=plan_id, case_id=case_id, data=data)
    if not message:
        found = [*budget.problems(session, plan_id=plan_id, case_id=case_id, data=data), budget.imbalance(data)]
        first = next((p for p in found if p is not None), None)
        if first is not None:
            message, at = (first.da if lang == "da" else first.en), where[first.index]
    return Editor(available, changes, message, at)


def refuse_impossible(session: Session, *, plan_id: int, case_id: int | None, data: dict[str, Any]) -> None:
    """422 with the editor's own words when the moves cannot be made or do not balance; nothing is stored."""
    found = [*budget.problems(session, plan_id=plan_id, case_id=case_id, data=data), budget.imbalance(data)]
    first = next((p for p in found if p is not None), None)
    if first is not None:
        raise Invalid(first.en, [{"field": first.field, "message": first.en}], da=first.da)


def total_of(form: dict[str, str], stored: dict[str, Any]) -> bool:
    """Whether the change says it changes the plan's total: the form's box (or choice), else what is stored."""
    raw = form.get("data.changes_total", "")
    return raw in ("on", "true") if raw else bool(stored.get("changes_total"))


def answer(editor_view: Editor, lang: str, area_names: dict[str, str]) -> dict[str, Any]:
    """The editor's view for the page's script: texts and a fragment rendered here, never assembled in the browser."""
    t = translator(lang)
    preview = templates.get_template("_budget_preview.html").render(
        editor=editor_view, t=t, lang=lang, area_names=area_names
    )
    return {
        "available": {k: t("available_on_line").format(amount=amount(v, lang)) for k, v in editor_view.available.items()},
        "preview": preview,
        "message": editor_view.message,
        "row": editor_view.row,
    }


def number(raw: str) -> int | None:
    return int(raw) if forms.ASCII_INTEGER.fullmatch(raw) and 1 <= int(raw) <= MAX_ID else None


@router.get(CHECK_URL)
def check_moves(request: Request, session: SessionDep) -> Response:
    """The editor's view of the moves typed so far, for the plan chosen (`subject`) or the draft edited (`case`)."""
    user = ui_user(request, session)
    if user is None:
        return Response(status_code=401)
    form = {k: v for k, v in request.query_params.items()}
    lang, stored = language(request), {}
    case_id, plan_id = number(form.get("case", "")), number(form.get("subject", ""))
    if case_id is not None:
        try:
            actor = load_actor(session, user, request.app.state.clock.today())
            case = visible_case(session, actor, case_id)
        except ServiceError as refusal:
            return Response(status_code=refusal.status)
        plan_id, stored = case.plan_id, case.data
    if plan_id is None or session.get(Plan, plan_id) is None:
        return Response(status_code=404)
    view = editor(session, plan_id=plan_id, case_id=case_id, rows=typed_rows(form), total=total_of(form, stored), lang=lang)
    return JSONResponse(answer(view, lang, case_context.area_names(session, lang)))
