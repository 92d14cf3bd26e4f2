"""What every dashboard question can be narrowed to: a period, a case type, a district, plan or board; and who asks."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, and_, select, true
from sqlmodel import Session

from service.authz import Actor
from service.cases.visibility import sees_everything, visible
from service.persistence.case_tables import CASES
from service.persistence.stats_tables import INTERVALS
from workflows import calendar


def day_start(day: date) -> int:
    """Unix seconds of Copenhagen midnight at the start of a day."""
    return int(datetime.combine(day, time(0), calendar.LOCAL).timestamp())


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # first day of the period (inclusive)
    end: date | None = None  # last day of the period (inclusive)
    case_type: str | None = None
    district_id: int | None = None
    plan_id: int | None = None
    board_id: int | None = None

    def without_period(self) -> "Filters":
        return replace(self, start=None, end=None)

    def query(self) -> dict[str, Any]:
        """As query-string parameters, for links to the same view elsewhere."""
        names = {"start": "from", "end": "to"}
        return {names.get(k, k): v for k, v in self.__dict__.items() if v is not None}


def keys(filters: Filters) -> ColumnElement[bool]:
    """The grouping-key filters over `case_state_intervals`."""
    clauses = [
        INTERVALS.c[column] == value
        for column, value in (
            ("case_type", filters.case_type),
            ("district_id", filters.district_id),
            ("plan_id", filters.plan_id),
            ("deciding_board_id", filters.board_id),
        )
        if value is not None
    ]
    return and_(true(), *clauses)


def period(column: Any, filters: Filters) -> ColumnElement[bool]:
    """A Unix-seconds column within the period."""
    clauses = []
    if filters.start is not None:
        clauses.append(column >= day_start(filters.start))
    if filters.end is not None:
        clauses.append(column < day_start(filters.end) + 86400)
    return and_(true(), *clauses)


def scope(session: Session, actor: Actor) -> ColumnElement[bool]:
    """The cases the actor may see (service.cases.visibility's rule), as a clause over `case_state_intervals`."""
    if sees_everything(actor):
        return true()
    return INTERVALS.c.case_id.in_(select(CASES.c.id).where(visible(session, actor)).correlate(None))
