"""What accepted actions do beyond the case row: screening, budget moves, new versions, competence moves.

`prepare` effects shape the case's data before its row is written; `apply` effects write other tables
after the history event exists. Both run inside the action's transaction.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from service.authz import plan_deciding_board
from service.deadlines import sync_deadlines
from service.errors import Conflict, Invalid
from service.persistence.case_tables import CASE_EVENTS, CASES
from service.persistence.tables import (
    ActivityArea,
    Board,
    BoardKind,
    Charter,
    Competence,
    Meeting,
    Plan,
    StrategicAgreement,
)  # fmt: skip
from workflows import calendar
from workflows.registry import WORKFLOWS
from workflows.spec import Action

if TYPE_CHECKING:
    from service.cases import Situation

LOCAL = calendar.LOCAL
BUDGET = SQLModel.metadata.tables["budget_lines"]
BUDGET_CHANGES = SQLModel.metadata.tables["budget_changes"]


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


def check_meeting(session: Session, *, case_board_id: int | None, meeting_id: int, now: datetime) -> None:
    """A case can be put on a meeting of its deciding board whose agenda has not closed yet."""
    meeting = session.get(Meeting, meeting_id)
    field = [{"field": "data.meeting_id", "message": "not a meeting this case can be put on"}]
    if meeting is None or meeting.board_id != case_board_id:
        raise Invalid(f"Meeting {meeting_id} is not a meeting of the board that decides this case.", field,
                      da=f"Møde {meeting_id} er ikke et møde i den bestyrelse, der beslutter sagen.")  # fmt: skip
    meeting_day = meeting.starts_at.astimezone(LOCAL).date()
    cutoff = calendar.subtract_working_days(meeting_day, calendar.AGENDA_CUTOFF_WORKING_DAYS)
    if now.astimezone(LOCAL).date() > cutoff:
        raise Invalid(f"The agenda of the meeting on {meeting_day} closed on {cutoff}.", field,
                      da=f"Dagsordenen til mødet {meeting_day:%d.%m.%Y} lukkede {cutoff:%d.%m.%Y}.")  # fmt: skip


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


def _budget_deltas(data: dict[str, Any]) -> dict[tuple[str, int, str], int]:
    """The net change per budget line (activity area, year, funder) of a case's moves."""
    deltas: dict[tuple[str, int, str], int] = defaultdict(int)
    for move in data.get("budget_moves") or []:
        for side, sign in (("from", -1), ("to", 1)):
            if move.get(f"{side}_area"):
                deltas[(move[f"{side}_area"], move[f"{side}_year"], move[f"{side}_funder"])] += sign * move["amount_dkk"]
    return deltas


def _apply_budget_moves(session: Session, here: "Situation", event_id: int, now: datetime) -> None:
    """Change the plan's budget lines by the moves, atomically per line, and record each change."""
    plan_id, case_id = here.case.plan_id, here.case.id
    connection = session.connection()
    areas: dict[str, int] = {
        code: area_id for code, area_id in connection.execute(select(ActivityArea.code, ActivityArea.id))
    }
    deltas = _budget_deltas(here.case.data)
    # Lines are changed in one fixed order, so two cases moving money between the same lines cannot deadlock.
    for (area, year, funder), delta in sorted(deltas.items()):
        area_id = areas[area]
        where = (BUDGET.c.plan_id == plan_id, BUDGET.c.activity_area_id == area_id, BUDGET.c.year == year,
                 BUDGET.c.funder == funder)  # fmt: skip
        changed = connection.execute(
            update(BUDGET).where(*where, BUDGET.c.amount_dkk + delta >= 0).values(amount_dkk=BUDGET.c.amount_dkk + delta)
        ).rowcount
        if not changed:
            held = connection.execute(select(BUDGET.c.amount_dkk).where(*where)).scalar()
            if held is not None or delta < 0:
                raise Conflict(
                    f"Budget line {area} {year} {funder} holds {held or 0} kr.; cannot move {-delta} kr.",
                    da=f"Budgetlinjen {area} {year} {funder} rummer {held or 0} kr.; kan ikke flytte {-delta} kr.",
                )
            connection.execute(insert(BUDGET), dict(plan_id=plan_id, activity_area_id=area_id, year=year, funder=funder,
                                                     amount_dkk=delta))  # fmt: skip
    changes = [  # the budget history lists them in the order the case moves money: from, then to
        dict(plan_id=plan_id, case_id=case_id, event_id=event_id, activity_area_id=areas[area], year=year,
             funder=funder, delta_dkk=delta)
        for (area, year, funder), delta in deltas.items()
    ]  # fmt: skip
    if changes:
        connection.execute(insert(BUDGET_CHANGES), changes)


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
    connection = session.connection()
    others = sa_select(CASES.c.id, CASES.c.case_type, CASES.c.state, CASES.c.version, CASES.c.deciding_board_id).where(
        CASES.c.plan_id == plan.id, CASES.c.is_open, CASES.c.id != here.case.id
    )
    for case_id, case_type, state, version, deciding in connection.execute(others).all():
        workflow = WORKFLOWS[case_type]
        # Only case types a plan's board decides move (they declare when they are decided); not yet decided ones.
        if not workflow.decided_in or state in workflow.decided_in or deciding == board.id:
            continue
        # A case on the old board's agenda leaves it, as if postponed: the new board decides in a new round.
        postpone = next((a for a in workflow.actions_from(state) if a.name == "postpone"), None)
        new_state = postpone.dest if postpone and postpone.dest else state
        moved = connection.execute(
            update(CASES).where(CASES.c.id == case_id, CASES.c.version == version)
            .values(deciding_board_id=board.id, version=version + 1, state=new_state)
        ).rowcount  # fmt: skip
        if moved != 1:
            raise Conflict(f"Case {case_id} changed while the competence moved; try again.",
                           da=f"Sag {case_id} blev ændret, mens kompetencen blev flyttet; prøv igen.")  # fmt: skip
        moved_event = connection.execute(insert(CASE_EVENTS).returning(CASE_EVENTS.c.id), dict(
            case_id=case_id, seq=version + 1, at=now, actor_id=None, action="moved_with_competence",
            from_state=state, to_state=new_state, data={"deciding_board": board.code, "by_case": here.case.reference},
            comment=f"Beslutningskompetencen for {plan.code} er flyttet til {board.name} ({here.case.reference}).",
        )).scalar_one()  # fmt: skip
        if new_state != state:
            sync_deadlines(session, workflow, case_id=case_id, old_state=state, state=new_state, data={},
                           event_id=moved_event, now=now)  # fmt: skip


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
