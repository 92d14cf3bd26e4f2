"""The expected decision as the API and the case page show it: the date, the chain of steps, whether it is overdue,
and the slips the case's history keeps."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel import Session

from service.forecasting.chain import Forecast, Known
from service.forecasting.slip_events import SLIP, SLIPPED
from service.forecasting.texts import chain_text, slip_text
from service.persistence.case_tables import CASE_EVENTS


class StepPublic(BaseModel):
    kind: str  # meeting, written (procedure), information (the central board informed), lbf
    board_id: int | None
    body: str  # the board's name, or LBF
    meeting_id: int | None
    on: date  # as expected now, never before today
    planned: date  # as planned; before `on` when the step is overdue
    estimate: bool  # LBF's answer, from its observed reply times
    overdue: bool


class SlipPublic(BaseModel):
    at: datetime
    reason: str  # missed (the meeting or its cut-off), moved or cancelled (the meeting)
    meeting_id: int | None
    meeting_on: date
    moved_to: date | None
    was: date  # the expected decision before
    expected: date  # and after
    days: int
    text_da: str
    text_en: str


class ExpectedDecision(BaseModel):
    on: date
    overdue_since: date | None  # a step's date has passed: the decision is expected from today on
    steps: list[StepPublic]
    chain_da: str
    chain_en: str
    slips: list[SlipPublic]


def slips_of(session: Session, case_id: int) -> list[SlipPublic]:
    """The slips the case's history keeps, oldest first."""
    rows = session.connection().execute(
        select(CASE_EVENTS.c.at, CASE_EVENTS.c.action, CASE_EVENTS.c.data)
        .where(CASE_EVENTS.c.case_id == case_id)
        .order_by(CASE_EVENTS.c.seq)
    )
    found = []
    for at, action, data in rows:
        slip: Any = data if action == SLIPPED else (data or {}).get(SLIP)
        if isinstance(slip, dict):
            found.append(SlipPublic(at=at, **slip, text_da=slip_text(slip, "da"), text_en=slip_text(slip, "en")))
    return found


def public(session: Session, k: Known, found: Forecast | None, case_id: int) -> ExpectedDecision | None:
    if found is None:
        return None
    steps = [
        StepPublic(
            kind=s.kind.value,
            board_id=s.board_id,
            body=k.boards.get(s.board_id, "") if s.board_id is not None else "LBF",
            meeting_id=s.meeting_id,
            on=s.on,
            planned=s.planned,
            estimate=s.estimate,
            overdue=s.overdue,
        )
        for s in found.steps
    ]
    named = [(s.kind, s.body if s.board_id is not None else None, s.on) for s in steps]
    return ExpectedDecision(
        on=found.on,
        overdue_since=found.overdue_since,
        steps=steps,
        chain_da=chain_text(named, "da"),
        chain_en=chain_text(named, "en"),
        slips=slips_of(session, case_id),
    )
