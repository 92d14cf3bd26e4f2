"""When a deadline is overdue: it is open, its day has passed, and it was not paused before that day.

A pause stops the clock: resuming moves the due date on by the working days it rested, so a deadline paused in
time is not late while it rests. One paused after its day had passed was late already and stays so. The rule in
Python (a row at hand) and in SQL (a filter) side by side, so the case list, Mine opgaver and the case page agree.
"""

from datetime import date
from typing import Any, Protocol

from sqlalchemy import and_, or_

from service.persistence.case_tables import DeadlineStatus


class Dated(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def due_on(self) -> date: ...
    @property
    def paused_since(self) -> date | None: ...


def is_overdue(deadline: Dated, today: date) -> bool:
    paused_in_time = deadline.paused_since is not None and deadline.paused_since <= deadline.due_on
    return deadline.status == DeadlineStatus.open and deadline.due_on < today and not paused_in_time


def overdue_clause(columns: Any, today: date) -> Any:
    """`is_overdue` as a WHERE clause over a deadline table's columns (the model class or a Core table's `.c`)."""
    return and_(
        columns.status == DeadlineStatus.open,
        columns.due_on < today,
        or_(columns.paused_since.is_(None), columns.paused_since > columns.due_on),
    )
