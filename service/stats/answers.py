"""The dashboard questions answered for one user and one set of filters: what the API and the pages both serve."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, select
from sqlmodel import Session

from service.authz import Actor
from service.cases.visibility import sees_everything, visible
from service.clock import Clock
from service.persistence.case_tables import CASES
from service.stats import flow, forecast, labels, lead_times, slips, snapshot, states
from service.stats.filters import Filters, scope
from service.stats.intervals import epoch


@dataclass
class Asking:
    """Who asks, when, about what."""

    session: Session
    actor: Actor
    filters: Filters
    now: int
    today: date
    lang: str = "da"
    user: Any = None  # the User row, for pages

    @classmethod
    def of(
        cls, session: Session, actor: Actor, clock: Clock, filters: Filters, lang: str = "da", user: Any = None
    ) -> "Asking":
        return cls(session, actor, filters, epoch(clock.now()), clock.today(), lang, user)

    @cached_property
    def visible(self) -> ColumnElement[bool]:
        """The viewer's cases as a clause over `case_state_intervals`."""
        return scope(self.session, self.actor)

    @cached_property
    def visible_ids(self) -> np.ndarray | None:
        """The viewer's case ids; None when they see every case."""
        if sees_everything(self.actor):
            return None
        query = select(CASES.c.id).where(visible(self.session, self.actor))
        return np.array(self.session.connection().execute(query).scalars().all(), dtype=np.int64)

    @cached_property
    def current(self) -> snapshot.Snapshot:
        return snapshot.current(self.session.connection())


def lead_time_table(ask: Asking, group_by: str, unit: str) -> list[dict[str, Any]]:
    rows = lead_times.lead_times(
        ask.current, filters=ask.filters, visible=ask.visible_ids, group_by=group_by, unit=unit, now=ask.now
    )
    names = labels.names(ask.session.connection(), group_by, ask.lang)
    return [{"key": r["key"], "label": names.get(r["key"], str(r["key"])), **r} for r in rows]


def time_in_state_table(ask: Asking) -> list[dict[str, Any]]:
    everything = sees_everything(ask.actor)
    rows = states.time_in_state(ask.session.connection(), filters=ask.filters, visible=None if everything else ask.visible)
    return [r | {"state_label": labels.state_name(r["case_type"], r["state"], ask.lang)} for r in rows]


def throughput_table(ask: Asking) -> list[dict[str, Any]]:
    return flow.throughput(ask.current, filters=ask.filters, visible=ask.visible_ids)


def open_case_table(ask: Asking, sort: str = "age", limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The open cases, with each listed case's expected decision as its case page gives it."""
    found = flow.open_cases(
        ask.session.connection(),
        ask.current,
        filters=ask.filters,
        visible=ask.visible_ids,
        now=ask.now,
        today=ask.today,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    listed = np.zeros(ask.current.size, bool)
    listed[[i["case_id"] for i in found["items"] if i["case_id"] < ask.current.size]] = True
    on = expected_decisions(ask, listed)
    for item in found["items"]:
        item["expected_decision_date"] = on.get(item["case_id"])
    return found


def chains(ask: Asking, keep: np.ndarray | None = None) -> forecast.Chains:
    """The expected decisions of the open cases within the filters (or among `keep`)."""
    if keep is None:
        keep = snapshot.select_cases(ask.current, ask.filters, ask.visible_ids)
    return forecast.chains(ask.current, keep, forecast.knowing(ask.session, ask.current, ask.today))


def expected_decisions(ask: Asking, keep: np.ndarray | None = None) -> dict[int, str]:
    """Each open case's expected decision (ISO date), as `GET /cases/{id}` gives `expected_decision_date`."""
    found = chains(ask, keep)
    return {int(i): str(d) for i, d in zip(found.ids, found.on, strict=True)}


def forecast_table(ask: Asking) -> dict[str, Any]:
    """Expected board decisions per upcoming meeting, expected (final) decisions and LBF answers per month, and how
    often a case on an agenda was decided there."""
    connection = ask.session.connection()
    found = chains(ask)
    boards = labels.names(connection, "board", ask.lang)
    names = labels.names(connection, "case_type", ask.lang)
    slipped = slips.summary(connection, ask.filters.case_type, ask.filters.district_id)
    held = [
        r | {"label": names.get(r["case_type"], r["case_type"])} | slipped.get(r["case_type"], {})
        for r in forecast.held(connection, ask.filters.case_type)
    ]
    replies = ask.current.reply_times(connection)
    return {
        "meetings": [r | {"board": boards.get(r["board_id"], "")} for r in forecast.per_meeting(found)],
        "decisions": forecast.per_month(found),
        "held": held,
        "lbf": forecast.lbf_months(found),
        "lbf_reply_days": replies.median(),
        "lbf_replies_seen": replies.replies,
    }


def lbf_expected_in(ask: Asking, month: str, which: str | None = None) -> list[int]:
    """The open cases (within the filters) whose answer from LBF is expected in a month (YYYY-MM); `which`:
    only those waiting for LBF now, or only those with steps before LBF."""
    found = chains(ask)
    chosen = found.lbf & (found.on.astype("datetime64[M]") == np.datetime64(month, "M"))
    if which is not None:
        chosen &= ~found.at_lbf if which == "after_meeting" else found.at_lbf
    return [int(i) for i in found.ids[chosen]]


def expected_on(ask: Asking, day: date) -> list[int]:
    """The open cases (within the filters) their deciding board is expected to decide at its meeting on a day."""
    found = chains(ask)
    return [int(i) for i in found.ids[found.at_meeting & (found.board_on == np.datetime64(day, "D"))]]


def decided_in(ask: Asking, month: str, overdue: bool = False) -> list[int]:
    """The open cases (within the filters) whose expected decision falls in a month (YYYY-MM); `overdue`: only
    those with an overdue step."""
    found = chains(ask)
    chosen = found.on.astype("datetime64[M]") == np.datetime64(month, "M")
    if overdue:
        chosen &= found.overdue
    return [int(i) for i in found.ids[chosen]]
