"""What accepted actions do beyond the case row: screening, budget moves, new versions, competence moves.

`prepare` effects shape the case's data before its row is written; `apply` effects write other tables
after the history event exists. Both run inside the action's transaction.
"""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from service.authz import plan_deciding_board
from service.errors import Conflict, Invalid
from service.persistence.case_tables import BudgetChange, Case, CaseEvent
from service.persistence.tables import (
    ActivityArea,
    Board,
    BoardKind,
    BudgetLine,
    Charter,
    Competence,
    Meeting,
    Plan,
    StrategicAgreement,
)  # fmt: skip
from workflows.registry import WORKFLOWS
from workflows.spec import Action

if TYPE_CHECKING:
    from service.cases import Situation

LOCAL = ZoneInfo("Europe/Copenhagen")


def check_data(session: Session, data: dict[str, Any]) -> None:
    """Register references inside case data exist: the activity areas of budget moves."""
    moves = data.get("budget_moves") or []
    if not moves:
        return
    known = set(session.exec(select(ActivityArea.code)))
    errors = [
        {"field": f"data.budget_moves.{i}.{side}_area", "message": f"unknown activity area {move[f'{side}_area']!r}"}
        for i, move in enumerate(moves) for side in ("from", "to")
        if move.get(f"{side}_area") and move[f"{side}_area"] not in known
    ]  # fmt: skip
    if errors:
        raise Invalid(f"The request is not valid: {errors[0]['field']}: {errors[0]['message']}", errors)


def lbf_approval_needed(data: dict[str, Any], *, material: bool) -> bool:
    """Default policy (domain.md §4.1): money moves between areas, the total or LBF's share changes, or material."""
    for move in data.get("budget_moves") or []:
        one_sided = not (move.get("from_area") and move.get("to_area"))
        between_areas = move.get("from_area") != move.get("to_area")
        lbf_share = "LBF" in (move.get("from_funder"), move.get("to_funder")) and move.get("from_funder") != move.get(
            "to_funder"
        )
        if one_sided or between_areas or lbf_share:
            return True
    return material


def prepare(
    session: Session, here: "Situation", action: Action, action_data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The case's data after the action (a new dict; the stored one is never mutated in place)."""
    data = dict(here.case.data)
    if action.name == "edit":
        check_data(session, action_data)
        data.update(action_data)
    if "screen" in action.effects:
        plan = session.get(Plan, here.case.plan_id)
        board = plan_deciding_board(session, plan) if plan else None
        data["_deciding_board_id"] = board.id if board else here.case.deciding_board_id
        data["material"] = bool(action_data.get("material"))
        override = action_data.get("lbf_approval_needed")
        data["lbf_approval_needed"] = (
            override if override is not None else lbf_approval_needed(data, material=data["material"])
        )
    if "information_item" in action.effects:
        meeting = session.exec(
            select(Meeting.id, Meeting.starts_at).join(Board, col(Board.id) == col(Meeting.board_id))
            .where(Board.kind == BoardKind.central, col(Meeting.starts_at) > now).order_by(col(Meeting.starts_at))
        ).first()  # fmt: skip
        data["central_board_meeting_id"] = meeting[0] if meeting else None
    return data


def _apply_budget_moves(session: Session, here: "Situation", event_id: int, now: datetime) -> None:
    areas: dict[str, int] = {
        code: area_id for code, area_id in session.exec(select(ActivityArea.code, ActivityArea.id)) if area_id
    }
    plan_id, case_id = here.case.plan_id, here.case.id
    assert plan_id is not None and case_id is not None
    for move in here.case.data.get("budget_moves") or []:
        for side, sign in (("from", -1), ("to", 1)):
            if not move.get(f"{side}_area"):
                continue
            area_id, year, funder = areas[move[f"{side}_area"]], move[f"{side}_year"], move[f"{side}_funder"]
            delta = sign * move["amount_dkk"]
            line = session.exec(
                select(BudgetLine).where(BudgetLine.plan_id == plan_id, BudgetLine.activity_area_id == area_id,
                                         BudgetLine.year == year, BudgetLine.funder == funder)
            ).first()  # fmt: skip
            if line is None:
                if delta < 0:
                    raise Conflict(f"The plan has no budget line {move['from_area']} {year} {funder} to move money from.")
                session.add(
                    BudgetLine(plan_id=plan_id, activity_area_id=area_id, year=year, funder=funder, amount_dkk=delta)
                )
            elif line.amount_dkk + delta < 0:
                raise Conflict(
                    f"Budget line {move[f'{side}_area']} {year} {funder} holds {line.amount_dkk} kr.; "
                    f"cannot move {-delta} kr."
                )
            else:
                line.amount_dkk += delta
            session.add(BudgetChange(plan_id=plan_id, case_id=case_id, event_id=event_id, activity_area_id=area_id,
                                     year=year, funder=funder, delta_dkk=delta))  # fmt: skip
    session.flush()


def _new_agreement_version(session: Session, here: "Situation", event_id: int, now: datetime) -> None:
    today = now.astimezone(LOCAL).date()
    assert here.case.plan_id is not None
    current = session.exec(
        select(StrategicAgreement).where(StrategicAgreement.plan_id == here.case.plan_id)
        .order_by(col(StrategicAgreement.version).desc())
    ).first()  # fmt: skip
    if current is not None and current.superseded_on is None:
        current.superseded_on = today
    summary = here.case.data.get("agreement_summary") or here.case.data.get("change_description", "")
    session.add(StrategicAgreement(plan_id=here.case.plan_id, version=(current.version if current else 0) + 1,
                                   in_force_from=today, summary=summary))  # fmt: skip
    session.flush()


def _new_charter_version(session: Session, here: "Situation", event_id: int, now: datetime) -> None:
    today = now.astimezone(LOCAL).date()
    assert here.case.board_id is not None
    current = session.exec(
        select(Charter).where(Charter.board_id == here.case.board_id).order_by(col(Charter.version).desc())
    ).first()  # fmt: skip
    if current is not None and current.superseded_on is None:
        current.superseded_on = today
    session.add(Charter(board_id=here.case.board_id, version=(current.version if current else 0) + 1, in_force_from=today,
                        decision_rule=here.case.data.get("decision_rule", "unanimity"),
                        summary=here.case.data.get("summary", "")))  # fmt: skip
    session.flush()


def _transfer_competence(session: Session, here: "Situation", event_id: int, now: datetime) -> None:
    """Move the plan's decisions, and its open undecided cases with them, each with a history event."""
    plan = session.get(Plan, here.case.plan_id)
    assert plan is not None
    plan.competence = (
        Competence.central if here.case.data.get("direction", "to_central") == "to_central" else Competence.district
    )
    session.flush()
    board = plan_deciding_board(session, plan)
    assert board is not None
    others = select(Case).where(Case.plan_id == plan.id, col(Case.is_open), col(Case.id) != here.case.id)
    for case in session.exec(others):
        workflow = WORKFLOWS[case.case_type]
        if case.state in workflow.decided_in or workflow.key == "competence_transfer" or case.deciding_board_id == board.id:
            continue
        session.execute(
            update(Case).where(col(Case.id) == case.id).values(deciding_board_id=board.id, version=case.version + 1)
        )
        session.execute(insert(CaseEvent), [dict(
            case_id=case.id, seq=case.version + 1, at=now, actor_id=None, action="moved_with_competence",
            from_state=case.state, to_state=case.state, data={"deciding_board": board.code, "by_case": here.case.reference},
            comment=f"Beslutningskompetencen for {plan.code} er flyttet til {board.name} ({here.case.reference}).",
        )])  # fmt: skip


APPLY: dict[str, Callable[[Session, "Situation", int, datetime], None]] = {
    "apply_budget_moves": _apply_budget_moves,
    "new_agreement_version": _new_agreement_version,
    "new_charter_version": _new_charter_version,
    "transfer_competence": _transfer_competence,
}
PREPARED = {"screen", "information_item"}

unknown = {e for w in WORKFLOWS.values() for a in w.actions for e in a.effects} - APPLY.keys() - PREPARED
if unknown:
    raise RuntimeError(f"case types name effects that do not exist: {sorted(unknown)}")


def apply(
    session: Session, here: "Situation", action: Action, action_data: dict[str, Any], event_id: int, now: datetime
) -> None:
    for name in action.effects:
        if name in APPLY:
            APPLY[name](session, here, event_id, now)
