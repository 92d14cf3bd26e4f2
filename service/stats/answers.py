"""The dashboard questions answered for one user and one set of filters: what the API and the pages both serve."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session

from service.authz import Actor
from service.clock import Clock
from service.stats import flow, labels, lead_times, states
from service.stats.filters import Filters, scope
from service.stats.intervals import epoch


@dataclass(frozen=True)
class Asking:
    """Who asks, when, about what."""

    session: Session
    visible: ColumnElement[bool]
    filters: Filters
    now: int
    today: date
    lang: str = "da"

    @classmethod
    def of(cls, session: Session, actor: Actor, clock: Clock, filters: Filters, lang: str = "da") -> "Asking":
        return cls(session, scope(session, actor), filters, epoch(clock.now()), clock.today(), lang)


def lead_time_table(ask: Asking, group_by: str, unit: str) -> list[dict[str, Any]]:
    rows = lead_times.lead_times(ask.session.connection(), filters=ask.filters, visible=ask.visible, group_by=group_by,
                                 unit=unit, now=ask.now)  # fmt: skip
    names = labels.names(ask.session.connection(), group_by, ask.lang)
    return [{"key": r["key"], "label": names.get(r["key"], str(r["key"])), **r} for r in rows]


def time_in_state_table(ask: Asking) -> list[dict[str, Any]]:
    rows = states.time_in_state(ask.session.connection(), filters=ask.filters, visible=ask.visible)
    return [r | {"state_label": labels.state_name(r["case_type"], r["state"], ask.lang)} for r in rows]


def throughput_table(ask: Asking) -> list[dict[str, Any]]:
    return flow.throughput(ask.session.connection(), filters=ask.filters, visible=ask.visible)


def open_case_table(ask: Asking, sort: str = "age", limit: int = 50, offset: int = 0) -> dict[str, Any]:
    return flow.open_cases(ask.session.connection(), filters=ask.filters, visible=ask.visible, now=ask.now,
                           today=ask.today, sort=sort, limit=limit, offset=offset)  # fmt: skip
