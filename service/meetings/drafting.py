"""An agenda item drafted from its case's data, the way Danish boards read one: indstilling as numbered "at" points,
sagsfremstilling, økonomi (budget lines before and after the moves) and bilag (the case's documents)."""

from typing import Any

from sqlmodel import Session, col, select

from service.persistence.case_tables import Case, CaseDocument
from service.persistence.meeting_tables import AgendaItem, ItemKind
from service.persistence.tables import ActivityArea, Board, BudgetLine
from workflows.registry import WORKFLOWS

TEXT_FIELDS = ("change_description", "agreement_summary", "summary")  # the case's own account of the change
FUNDERS_DA = {"LBF": "LBF", "KK": "Københavns Kommune", "HOUSING": "boligorganisationerne"}


def kroner(amount: int) -> str:
    """An amount the Danish way: 1.250.000 kr."""
    return f"{amount:,} kr.".replace(",", ".")


def proposal(case: Case, board: Board, kind: ItemKind) -> list[str]:
    """The secretariat's indstilling as "at" points."""
    if kind == ItemKind.information:
        return ["at orienteringen tages til efterretning"]
    if kind == ItemKind.discussion:
        return [f"at {board.name} drøfter sagen"]
    points = [f"at {board.name} godkender {WORKFLOWS[case.case_type].da.lower()} »{case.title}«"]
    if case.data.get("budget_moves"):
        points.append("at planens budget ændres som beskrevet under Økonomi")
    if case.data.get("lbf_approval_needed"):
        points.append("at sagen herefter sendes til Landsbyggefonden til godkendelse")
    return points


def presentation(case: Case) -> str:
    """The sagsfremstilling: the case's description and its own account of the change."""
    parts = [case.description.strip()]
    parts += [str(case.data[name]).strip() for name in TEXT_FIELDS if case.data.get(name)]
    if case.data.get("direction"):
        where = "Boligsocial Bestyrelse" if case.data["direction"] == "to_central" else "bydelsbestyrelsen"
        parts.append(f"Parterne anmoder om, at beslutningskompetencen for planen flyttes til {where}.")
    return "\n\n".join(p for p in parts if p)


def _lines(session: Session, plan_id: int) -> dict[tuple[str, int, str], int]:
    rows = session.exec(
        select(ActivityArea.code, BudgetLine.year, BudgetLine.funder, BudgetLine.amount_dkk)
        .join(ActivityArea, col(ActivityArea.id) == col(BudgetLine.activity_area_id))
        .where(BudgetLine.plan_id == plan_id)
    ).all()
    return {(area, year, str(funder)): amount for area, year, funder, amount in rows}


def economy(session: Session, case: Case) -> str:
    """The økonomi: each budget line the moves touch, before and after, one line each."""
    moves: list[dict[str, Any]] = case.data.get("budget_moves") or []
    if not moves or case.plan_id is None:
        return ""
    before = _lines(session, case.plan_id)
    after = dict(before)
    for move in moves:
        for side, sign in (("from", -1), ("to", 1)):
            if move.get(f"{side}_area"):
                key = (move[f"{side}_area"], move[f"{side}_year"], move[f"{side}_funder"])
                after[key] = after.get(key, 0) + sign * move["amount_dkk"]
    touched = sorted(k for k in after if after[k] != before.get(k, 0))
    rows = [
        f"{area} {year} ({FUNDERS_DA.get(funder, funder)}): {kroner(before.get((area, year, funder), 0))} → "
        f"{kroner(after[(area, year, funder)])}"
        for area, year, funder in touched
    ]
    return "\n".join(["Budgetposter før og efter ændringen:", *rows])


def attachments(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The case's documents as bilag, published unless the secretariat closes them."""
    documents = session.exec(select(CaseDocument).where(CaseDocument.case_id == case_id).order_by(col(CaseDocument.id)))
    return [{"document_id": d.id, "filename": d.filename, "public": True} for d in documents]


def draft(session: Session, *, case: Case, board: Board, meeting_id: int, kind: ItemKind, position: int) -> AgendaItem:
    """A new agenda item for a case, drafted from its data (the secretariat may edit it before sending)."""
    assert case.id is not None
    return AgendaItem(
        meeting_id=meeting_id,
        case_id=case.id,
        position=position,
        kind=kind,
        title=f"{case.title} ({case.reference})",
        proposal=proposal(case, board, kind),
        presentation=presentation(case),
        economy=economy(session, case),
        attachments=attachments(session, case.id),
    )
