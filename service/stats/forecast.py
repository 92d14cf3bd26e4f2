"""When will each open case be decided, and how often has the meeting calendar's forecast held?

The forecast is the calendar's (domain.md §7): a case on an agenda is decided at that meeting; a case not yet on
one at the deciding board's first meeting whose agenda cut-off (10 working days before) is still ahead. How often
that held is read from the history: of the stays on an agenda that have ended, the share that ended in a decision
(approved, rejected or sent back) rather than a postponement or a withdrawal (a missed meeting slips the case to a
later one).
"""

from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from service.persistence.stats_tables import BUCKETS
from service.persistence.tables import Meeting
from service.stats.intervals import aware, epoch
from service.stats.slips import slipped
from service.stats.snapshot import STATES, TYPES, Snapshot
from service.stats.workdays import busdays, local_days
from workflows import calendar
from workflows.registry import WORKFLOWS
from workflows.spec import DeadlineKind, LbfPolicy, Wait, Workflow

MEETINGS = Meeting.__table__  # type: ignore[attr-defined]


def _waits_lbf(case_type: str, state: str) -> bool:
    return any(s.name == state and s.wait == Wait.lbf for s in WORKFLOWS[case_type].states)


def _flags(kind: str) -> np.ndarray:
    """[case type, state] → the state is decided (or final), or the state is on a meeting's agenda."""
    table = np.zeros((len(TYPES), len(STATES)), bool)
    for t, key in enumerate(TYPES):
        workflow = WORKFLOWS[key]
        for s, state in enumerate(STATES):
            if kind == "decided":
                table[t, s] = state in workflow.decided_in or state in workflow.final_states
            else:
                table[t, s] = state == workflow.on_agenda
    return table


DECIDED, ON_AGENDA = _flags("decided"), _flags("agenda")


def reply_days(workflow: Workflow) -> int:
    """The calendar days LBF is expected to answer in: the type's deadline on LBF (0: none declared)."""
    found = (d.calendar_days for d in workflow.deadlines if d.kind == DeadlineKind.external_body and d.calendar_days)
    return next(found, 0)


REPLY_DAYS = np.array([reply_days(WORKFLOWS[t]) for t in TYPES], dtype=np.int64)
GOES_TO_LBF = np.array([WORKFLOWS[t].lbf == LbfPolicy.always for t in TYPES]) & (REPLY_DAYS > 0)
AT_LBF = np.array([[_waits_lbf(t, s) for s in STATES] for t in TYPES])


def meeting_days(connection: Connection) -> dict[int, np.ndarray]:
    """Each board's meeting dates (Copenhagen), sorted."""
    rows = connection.execute(select(MEETINGS.c.board_id, MEETINGS.c.starts_at)).all()
    found: dict[int, list[int]] = {}
    for board, moment in rows:
        found.setdefault(board, []).append(epoch(aware(moment)))
    return {b: np.sort(local_days(np.array(s, dtype=np.int64))) for b, s in found.items()}


def expected(
    snapshot: Snapshot, keep: np.ndarray, meetings: dict[int, np.ndarray], today: date
) -> tuple[np.ndarray, np.ndarray]:
    """The undecided open cases among `keep` and the date each is expected to be decided (NaT: no meeting known)."""
    c = snapshot.columns
    ids = np.nonzero(keep & ~DECIDED[c["case_type"], c["state"]])[0]
    days = np.full(len(ids), np.datetime64("NaT"), dtype="datetime64[D]")
    earliest = np.busday_offset(
        np.datetime64(today), calendar.AGENDA_CUTOFF_WORKING_DAYS, roll="backward", busdaycal=busdays()
    )
    agenda = ON_AGENDA[c["case_type"][ids], c["state"][ids]]
    after = np.where(agenda, local_days(c["entered"][ids]), earliest)
    boards = c["board"][ids]
    for board in np.unique(boards):
        dates = meetings.get(int(board))
        if dates is None or not len(dates):
            continue
        here = boards == board
        index = np.searchsorted(dates, after[here])
        found = index < len(dates)
        chosen = np.full(int(here.sum()), np.datetime64("NaT"), dtype="datetime64[D]")
        chosen[found] = dates[index[found]]
        days[here] = chosen
    return ids, days


def per_meeting(snapshot: Snapshot, keep: np.ndarray, meetings: dict[int, np.ndarray], today: date) -> list[dict[str, Any]]:
    """Upcoming meetings with how many open cases are expected to be decided there."""
    ids, days = expected(snapshot, keep, meetings, today)
    known = ~np.isnat(days)
    pairs = np.stack([snapshot.columns["board"][ids[known]], days[known].astype(np.int64)], axis=1)
    if not len(pairs):
        return []
    unique, counts = np.unique(pairs, axis=0, return_counts=True)
    rows = [
        {"board_id": int(b), "date": str(np.datetime64(int(d), "D")), "expected": int(n)}
        for (b, d), n in zip(unique, counts, strict=True)
    ]
    return sorted(rows, key=lambda r: (r["date"], r["board_id"]))


def held(connection: Connection, case_type: str | None = None) -> list[dict[str, Any]]:
    """Per case type: agenda stays that ended in a decision at the meeting, those that slipped, and the share held."""
    query = select(BUCKETS.c.case_type, BUCKETS.c.state, BUCKETS.c.left_to, func.sum(BUCKETS.c.stays)).group_by(
        BUCKETS.c.case_type, BUCKETS.c.state, BUCKETS.c.left_to
    )
    if case_type is not None:
        query = query.where(BUCKETS.c.case_type == case_type)
    totals: dict[str, list[int]] = {}
    for kind, state, left_to, stays in connection.execute(query):
        workflow = WORKFLOWS.get(kind)
        if workflow is None or state != workflow.on_agenda:
            continue
        pair = totals.setdefault(kind, [0, 0])
        pair[1 if left_to in slipped(workflow) else 0] += int(stays)
    return [
        {"case_type": k, "decided_at_meeting": d, "slipped": s, "held_share": d / (d + s) if d + s else None}
        for k, (d, s) in sorted(totals.items())
    ]


def lbf_answers(
    snapshot: Snapshot, keep: np.ndarray, meetings: dict[int, np.ndarray], today: date
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The open cases expected to get LBF's answer, the day (a working day) and whether it is chained after a meeting.

    A case waiting for LBF now: the day it was sent plus LBF's reply time (30 days; today if that has passed).
    An undecided case of a type that always goes to LBF: its expected decision plus LBF's reply time.
    """
    c = snapshot.columns
    waiting = np.nonzero(keep & AT_LBF[c["case_type"], c["state"]])[0]
    sent = local_days(c["entered"][waiting]) + REPLY_DAYS[c["case_type"][waiting]].astype("timedelta64[D]")
    sent = np.maximum(sent, np.datetime64(today))
    undecided, decided_on = expected(snapshot, keep, meetings, today)
    chain = GOES_TO_LBF[c["case_type"][undecided]] & ~np.isnat(decided_on)
    later = decided_on[chain] + REPLY_DAYS[c["case_type"][undecided[chain]]].astype("timedelta64[D]")
    days = np.busday_offset(np.concatenate([sent, later]), 0, roll="forward", busdaycal=busdays())
    chained = np.concatenate([np.zeros(len(waiting), bool), np.ones(len(later), bool)])
    return np.concatenate([waiting, undecided[chain]]), days, chained


def lbf_months(snapshot: Snapshot, keep: np.ndarray, meetings: dict[int, np.ndarray], today: date) -> list[dict[str, Any]]:
    """Per month: LBF answers expected for cases waiting for LBF now, and for cases still to be decided first."""
    _, days, chained = lbf_answers(snapshot, keep, meetings, today)
    months = days.astype("datetime64[M]")
    rows = []
    for month in np.unique(months):
        here = months == month
        waiting, after = int((here & ~chained).sum()), int((here & chained).sum())
        rows.append({"month": str(month), "waiting": waiting, "after_meeting": after, "expected": waiting + after})
    return rows
