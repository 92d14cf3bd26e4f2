"""The facts a case type's opening rules read (domain.md §3.1), and what its opening effects add to the data."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from service.authz import CaseSetting
from service.persistence.case_tables import Case
from service.persistence.tables import StrategicAgreement
from workflows import calendar
from workflows.spec import Effect, Facts, Workflow


def opening_facts(session: Session, workflow: Workflow, setting: CaseSetting, data: dict[str, Any], now: datetime) -> Facts:
    """The plan's grant period, competence and other cases of the type, as the opening guards see them."""
    today = now.astimezone(calendar.LOCAL).date()
    period = setting.period
    others: list[tuple[str, str, bool, Any]] = []
    if setting.plan_id is not None:
        rows = session.exec(
            select(Case.reference, Case.state, Case.is_open, Case.data)
            .where(Case.plan_id == setting.plan_id, Case.case_type == workflow.key).order_by(col(Case.id))
        )  # fmt: skip
        others = [(reference, state, is_open, case_data) for reference, state, is_open, case_data in rows]
    flag, state = workflow.final_report_when or ("", "")
    return Facts(
        data=data,
        competence=setting.competence,
        grant_running=period is not None and period[0] <= today <= period[1],
        grant_started=period is not None and period[0] <= today,
        final_report_accepted=any(s == state and d.get(flag) for _, s, _, d in others) if flag else False,
        others_open=tuple(reference for reference, _, is_open, _ in others if is_open),
    )


def _agreement_version(session: Session, plan_id: int) -> int:
    """The version of the plan's strategic agreement in force, 0 without one."""
    version = session.exec(
        select(StrategicAgreement.version)
        .where(StrategicAgreement.plan_id == plan_id, col(StrategicAgreement.superseded_on).is_(None))
        .order_by(col(StrategicAgreement.version).desc())
    ).first()  # fmt: skip
    return version or 0


def on_open(session: Session, workflow: Workflow, plan_id: int | None, data: dict[str, Any]) -> dict[str, Any]:
    """The case's data with what its opening effects record, e.g. the agreement version a change amends."""
    if Effect.note_agreement_version in workflow.open_effects and plan_id is not None:
        return {**data, "amends_version": _agreement_version(session, plan_id)}
    return data


OPEN_EFFECTS = {Effect.note_agreement_version}
