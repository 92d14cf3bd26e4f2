"""What accepted actions do beyond the case row: screening, budget moves, new versions, competence moves.

`prepare` effects shape the case's data before its row is written; `apply` effects write other tables
after the history event exists. Both run inside the action's transaction.
"""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from service.authz import plan_deciding_board
from service.cases import budget
from service.cases.deadlines import sync_deadlines
from service.errors import Conflict, Invalid
from service.persistence.case_tables import CASE_EVENTS, CASES
from service.persistence.tables import (
    ActivityArea,
    Board,
    BoardKind,
    Charter,
    Competence,
    Meeting,
    MeetingStatus,
    Plan,
    StrategicAgreement,
)
from service.stats.intervals import record_transition
from workflows import calendar, guards
from workflows.registry import WORKFLOWS
from workflows.spec import Action, Effect, LbfPolicy, Workflow

if TYPE_CHECKING:
    from service.cases.situation import Situation

LOCAL = calendar.LOCAL


def check_data(session: Session, data: dict[str, Any]) -> None:
    """Register references inside case data exist: the activity areas of budget moves."""
    moves = data.get("budget_moves") or []
    if not moves:
        return
    known = set(session.exec(select(ActivityArea.code)))
    errors = [
        {"field": f"data.budget_moves.{i}.{side}_area", "message": f"unknown activity area {move[f'{side}_area']!r}"}
        for i, move in enumerate(moves)
        for side in ("from", "to")
        if move.get(f"{side}_area") and move[f"{side}_area"] not in known
    ]
    if errors:
        raise Invalid(f"The request is not valid: {errors[0]['field']}: {errors[0]['message']}", errors)


def lbf_needed(workflow: Workflow, data: dict[str, Any], action_data: dict[str, Any]) -> bool:
    """Whether the case goes to LBF: its type's policy, which the secretariat may only tighten (§3.1)."""
    if workflow.lbf != LbfPolicy.by_default_rule:
        return workflow.lbf == LbfPolicy.always
    return bool(action_data.get("lbf_approval_needed")) or guards.lbf_needed_by_default(
        data, material=bool(data.get("material"))
    )


def prepare(
    session: Session, here: "Situation", action: Action, action_data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The case's data after the action (a new dict; the stored one is never mutated in place)."""
    data = dict(here.case.data)
    if Effect.update_data in action.effects:
        check_data(session, action_data)
        data.update(action_data)
    if Effect.screen in action.effects:
        plan = session.get(Plan, here.case.plan_id)
        board = plan_deciding_board(session, plan) if plan else None
        data["_deciding_board_id"] = board.id if board else here.case.deciding_board_id
        data["material"] = bool(action_data.get("material"))
        data["lbf_approval_needed"] = lbf_needed(here.workflow, data, action_data)
    if Effect.check_budget_moves in action.effects and here.case.plan_id is not None:
        budget.check_moves(session, plan_id=here.case.plan_id, case_id=here.case.id, data=data)
    if Effect.note_lbf_approval in action.effects:
        data["lbf_approved_on"] = action_data.get("received_on") or now.astimezone(LOCAL).date().isoformat()
    if Effect.information_item in action.effects:
        meeting = session.exec(
            select(Meeting.id, Meeting.starts_at)
            .join(Board, col(Board.id) == col(Meeting.board_id))
            .where(Board.kind == BoardKind.central, col(Meeting.starts_at) > now, Meeting.status == MeetingStatus.planned)
            .order_by(col(Meeting.starts_at))
        ).first()
        data["central_board_meeting_id"] = meeting[0] if meeting else None
    return data


def _apply_budget_moves(session: Session, here: "Situation", event_id: int, now: datetime) -> None:
    assert here.case.plan_id is not None and here.case.id is not None
    budget.apply_moves(session, plan_id=here.case.plan_id, case_id=here.case.id, event_id=event_id, data=here.case.data)


def _new_agreement_version(session: Session, here: "Situation", event_id: int, now: datetime) -> None:
    today = now.astimezone(LOCAL).date()
    assert here.case.plan_id is not None
    current = session.exec(
        select(StrategicAgreement)
        .where(StrategicAgreement.plan_id == here.case.plan_id)
        .order_by(col(StrategicAgreement.version).desc())
    ).first()
    amends = here.case.data.get("amends_version")
    in_force = current.version if current is not None and current.superseded_on is None else 0
    if amends is not None and amends != in_force:
        raise Conflict(
            f"This change amends version {amends} of the strategic agreement, but version {in_force} came into force "
            "meanwhile; draft the change again from the version in force.",
            da=f"Ændringen ændrer version {amends} af den strategiske samarbejdsaftale, men version {in_force} er trådt i "
            "kraft i mellemtiden; udarbejd ændringen igen ud fra den gældende version.",
        )
    if current is not None and current.superseded_on is None:
        current.superseded_on = today
    summary = here.case.data.get("agreement_summary") or here.case.data.get("change_description", "")
    session.add(
        StrategicAgreement(
            plan_id=here.case.plan_id, version=(current.version if current else 0) + 1, in_force_from=today, summary=summary
        )
    )
    session.flush()


def _new_charter_version(session: Session, here: "Situation", event_id: int, now: datetime) -> None:
    today = now.astimezone(LOCAL).date()
    assert here.case.board_id is not None
    current = session.exec(
        select(Charter).where(Charter.board_id == here.case.board_id).order_by(col(Charter.version).desc())
    ).first()
    if current is not None and current.superseded_on is None:
        current.superseded_on = today
    session.add(
        Charter(
            board_id=here.case.board_id,
            version=(current.version if current else 0) + 1,
            in_force_from=today,
            decision_rule=here.case.data.get("decision_rule", "unanimity"),
            summary=here.case.data.get("summary", ""),
        )
    )
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
        postpone = next((a for a in workflow.actions_from(state) if a.postpones), None)
        new_state = postpone.dest if postpone and postpone.dest else state
        moved = connection.execute(
            update(CASES)
            .where(CASES.c.id == case_id, CASES.c.version == version)
            .values(deciding_board_id=board.id, version=version + 1, state=new_state)
        ).rowcount
        if moved != 1:
            raise Conflict(
                f"Case {case_id} changed while the competence moved; try again.",
                da=f"Sag {case_id} blev ændret, mens kompetencen blev flyttet; prøv igen.",
            )
        moved_event = connection.execute(
            insert(CASE_EVENTS).returning(CASE_EVENTS.c.id),
            dict(
                case_id=case_id,
                seq=version + 1,
                at=now,
                actor_id=None,
                action="moved_with_competence",
                from_state=state,
                to_state=new_state,
                data={"deciding_board": board.code, "by_case": here.case.reference},
                comment=f"Beslutningskompetencen for {plan.code} er flyttet til {board.name} ({here.case.reference}).",
            ),
        ).scalar_one()
        record_transition(
            connection,
            case_id=case_id,
            case_type=case_type,
            old_state=state,
            new_state=new_state,
            at=now,
            old_board_id=deciding,
            new_board_id=board.id,
        )
        if new_state != state:
            sync_deadlines(
                session, workflow, case_id=case_id, old_state=state, state=new_state, data={}, event_id=moved_event, now=now
            )


APPLY: dict[Effect, Callable[[Session, "Situation", int, datetime], None]] = {
    Effect.apply_budget_moves: _apply_budget_moves,
    Effect.new_agreement_version: _new_agreement_version,
    Effect.new_charter_version: _new_charter_version,
    Effect.transfer_competence: _transfer_competence,
}
PREPARED = {Effect.update_data, Effect.screen, Effect.information_item, Effect.check_budget_moves, Effect.note_lbf_approval}
# Every declared effect has exactly one implementation here (a test checks that the enum is covered).
OPEN_EFFECTS = {Effect.note_agreement_version}
IMPLEMENTED = APPLY.keys() | PREPARED | OPEN_EFFECTS


def apply(
    session: Session, here: "Situation", action: Action, action_data: dict[str, Any], event_id: int, now: datetime
) -> None:
    for name in action.effects:
        if name in APPLY:
            APPLY[name](session, here, event_id, now)


def _agreement_version(session: Session, plan_id: int) -> int:
    """The version of the plan's strategic agreement in force, 0 without one."""
    version = session.exec(
        select(StrategicAgreement.version)
        .where(StrategicAgreement.plan_id == plan_id, col(StrategicAgreement.superseded_on).is_(None))
        .order_by(col(StrategicAgreement.version).desc())
    ).first()
    return version or 0


def on_open(session: Session, workflow: Workflow, plan_id: int | None, data: dict[str, Any]) -> dict[str, Any]:
    """The case's data with what its opening effects record, e.g. the agreement version a change amends."""
    if Effect.note_agreement_version in workflow.open_effects and plan_id is not None:
        return {**data, "amends_version": _agreement_version(session, plan_id)}
    return data
