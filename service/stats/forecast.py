"""When will each open case be decided, and how often has the meeting calendar's forecast held?

Each open case's expected decision is the chain service.forecasting gives the case page (`GET /cases/{id}`'s
`expected_decision_date`), computed here for every case at once with numpy from the snapshot's columns: the deciding
board decides at the meeting the case is on (or by the written procedure's deadline), else at its first meeting whose
agenda cut-off is still ahead; where the type informs the central board, its first meeting after that; where LBF must
approve, LBF's observed median reply time. A step whose day has passed is expected from today on. The same
declarations (service.forecasting.paths), calendar look-ups (Known) and reply times (ReplyTimes) are used, never
re-derived.

How often the calendar's forecast held is read from the history: of the stays on an agenda that have ended, the share
that ended in a decision (approved, rejected or sent back) rather than a postponement or a withdrawal.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from service.forecasting import paths
from service.forecasting.chain import Known, known
from service.persistence.stats_tables import BUCKETS
from service.stats.chain_facts import EPOCH, NONE
from service.stats.slips import slipped
from service.stats.snapshot import DONE, STATES, TYPES, Snapshot
from service.stats.workdays import busdays, local_days
from workflows import calendar
from workflows.registry import WORKFLOWS

NAT = np.datetime64("NaT", "D")


def _ahead(field: str) -> np.ndarray:
    """[case type, state, LBF needed] → what lies ahead (paths.Ahead's `field`); False for a type's foreign states."""
    table = np.zeros((len(TYPES), len(STATES), 2), bool)
    for t, key in enumerate(TYPES):
        own = {s.name for s in WORKFLOWS[key].states}
        for s, state in enumerate(STATES):
            if state in own:
                for need in (0, 1):
                    table[t, s, need] = getattr(paths.ahead(key, state, bool(need)), field)
    return table


def _per_state(test: Any) -> np.ndarray:
    return np.array([[test(WORKFLOWS[key], state) for state in STATES] for key in TYPES])


BOARD, CENTRAL, LBF, AT_LBF, INFORMED = (_ahead(f) for f in ("board", "central", "lbf", "at_lbf", "informed"))
ON_AGENDA = _per_state(lambda w, state: state == w.on_agenda)
# Only where the state collects votes or consents does the case's round keep the meeting it was put on.


def _day(value: date) -> np.datetime64:
    return np.datetime64(value, "D")


def _later(days: np.ndarray, count: int) -> np.ndarray:
    """`count` calendar days later, on the next working day (calendar.add_calendar_days)."""
    return np.busday_offset(days + np.timedelta64(count, "D"), 0, roll="forward", busdaycal=busdays())


def _stored(days: np.ndarray) -> np.ndarray:
    """Days since 1970 as kept in the snapshot's columns (NONE: no date) as dates."""
    return np.where(days == NONE, NAT, np.datetime64(EPOCH, "D") + days.astype("timedelta64[D]"))


@dataclass(frozen=True)
class Calendar:
    """The meeting calendar as arrays: every meeting by id (moved or cancelled ones too), and the central board's
    planned days from today on."""

    ids: np.ndarray
    days: np.ndarray
    planned: np.ndarray
    central_days: np.ndarray

    @classmethod
    def of(cls, k: Known) -> "Calendar":
        rows = sorted((m.id, m.day, m.planned) for m in k.meetings.values())
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        days = np.array([r[1] for r in rows], dtype="datetime64[D]")
        planned = np.array([r[2] for r in rows], dtype=bool)
        central = sorted({m.day for m in k.meetings.values() if m.board_id == k.central and m.planned and m.day >= k.today})
        return cls(ids, days, planned, np.array(central, dtype="datetime64[D]"))

    def look_up(self, meetings: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each meeting id's day and whether it is planned, and whether the id is a meeting at all."""
        if not len(self.ids):
            none = np.zeros(len(meetings), bool)
            return np.full(len(meetings), NAT), none, none
        index = np.minimum(np.searchsorted(self.ids, meetings), len(self.ids) - 1)
        found = self.ids[index] == meetings
        return np.where(found, self.days[index], NAT), found & self.planned[index], found

    def central_after(self, days: np.ndarray) -> np.ndarray:
        """The central board's first planned meeting later than each day (NaT: none planned)."""
        index = np.searchsorted(self.central_days, days, side="right")
        found = index < len(self.central_days)
        return np.where(found, self.central_days[np.minimum(index, max(len(self.central_days) - 1, 0))], NAT)


@dataclass(frozen=True)
class Chains:
    """The expected decision of open cases, step by step, one entry per case with a step left (as
    service.forecasting.chain.forecast gives it for one case)."""

    ids: np.ndarray
    board_id: np.ndarray  # the deciding board
    board: np.ndarray  # the deciding board decides
    at_meeting: np.ndarray  # ... at a meeting on `board_on` as planned (not by written procedure, not overdue)
    board_on: np.ndarray  # the board's decision as expected now (NaT: no board step)
    informs: np.ndarray  # the central board is informed at its meeting on `central_on`
    central_on: np.ndarray
    lbf: np.ndarray  # LBF answers last, on `on`
    at_lbf: np.ndarray  # LBF has the case now
    on: np.ndarray  # the expected decision: the last step's day, as the case page shows it
    overdue: np.ndarray  # a step's day has passed: expected from today on

    def where(self, chosen: np.ndarray) -> "Chains":
        return Chains(**{name: getattr(self, name)[chosen] for name in self.__dataclass_fields__})


def chains(snapshot: Snapshot, keep: np.ndarray, k: Known) -> Chains:
    """The chain of every open case among `keep` that has a step left."""
    c, today = snapshot.columns, _day(k.today)
    ids = np.nonzero(keep & (c["wait"] != DONE))[0]
    t, s, need = c["case_type"][ids], c["state"][ids], c["lbf_needed"][ids].astype(np.int64)
    meetings = Calendar.of(k)
    rolled_today = _day(calendar.next_working_day(k.today))
    by_writing = _day(calendar.add_working_days(k.today, calendar.WRITTEN_PROCEDURE_WORKING_DAYS))

    # The deciding board: on an agenda (the round's meeting, else the written procedure), or its next meeting.
    boards = c["board"][ids]
    board = BOARD[t, s, need] & (boards >= 0)
    agenda = board & ON_AGENDA[t, s]
    round_day, _, round_found = meetings.look_up(np.where(ON_AGENDA[t, s], c["meeting"][ids], NONE))
    written = _stored(c["written_until"][ids])
    planned = np.where(round_found, round_day, np.where(np.isnat(written), by_writing, written))
    at_meeting = agenda & round_found
    board_on = np.where(agenda, np.where(planned >= today, planned, rolled_today), NAT)
    overdue = agenda & (planned < today)
    for b in np.unique(boards[board & ~agenda]):
        here = board & ~agenda & (boards == b)
        meeting = k.next_meeting(int(b), cutoff_from=k.today)
        board_on[here] = _day(meeting.day) if meeting is not None else by_writing
        at_meeting[here] = meeting is not None
    at_meeting &= ~overdue
    day = np.where(board, board_on, today)

    # The central board hears of it: at the meeting its information item is on, or its first one after the board.
    central_on = np.full(len(ids), NAT)
    if k.central is not None:
        ahead = CENTRAL[t, s, need]
        informed = ahead & INFORMED[t, s, need]
        placed, planned_placed, _ = meetings.look_up(c["central_meeting"][ids])
        central_on[informed] = np.where(planned_placed & (placed >= today), placed, NAT)[informed]
        central_on[ahead & ~informed] = meetings.central_after(day[ahead & ~informed])
    informs = ~np.isnat(central_on)
    day = np.where(informs, central_on, day)

    # LBF answers: in its median reply time from when it got the case, or from the step before (or a report's due).
    typical = k.replies.median()
    lbf = LBF[t, s, need]
    at_lbf = lbf & AT_LBF[t, s, need]
    entered = local_days(c["entered"][ids])
    sent = _later(entered, typical)
    waited = (today - entered).astype(np.int64)
    late = at_lbf & (sent < today)
    waits, each = np.unique(waited[late], return_inverse=True)
    still = np.array([k.replies.remaining(int(w)) for w in waits], dtype="timedelta64[D]")[each]
    due = _stored(c["report_due"][ids])
    start = np.where(np.isnat(due), day, np.maximum(day, due))
    answer = np.where(at_lbf, sent, _later(start, typical))
    answer[late] = np.busday_offset(today + still, 0, roll="forward", busdaycal=busdays())
    overdue |= late
    on = np.where(lbf, answer, day)

    left = board | informs | lbf
    return Chains(ids, boards, board, at_meeting, board_on, informs, central_on, lbf, at_lbf, on, overdue).where(left)


def knowing(session: Session, snapshot: Snapshot, today: date) -> Known:
    """What every chain reads (service.forecasting.chain.known), with LBF's reply times as of the snapshot."""
    return known(session, today, snapshot.reply_times(session.connection()))


def per_meeting(found: Chains) -> list[dict[str, Any]]:
    """Upcoming meetings with how many open cases their deciding board is expected to decide there."""
    chosen = found.where(found.at_meeting)
    pairs = np.stack([chosen.board_id, chosen.board_on.astype(np.int64)], axis=1)
    if not len(pairs):
        return []
    unique, counts = np.unique(pairs, axis=0, return_counts=True)
    rows = [
        {"board_id": int(b), "date": str(np.datetime64(int(d), "D")), "expected": int(n)}
        for (b, d), n in zip(unique, counts, strict=True)
    ]
    return sorted(rows, key=lambda r: (r["date"], r["board_id"]))


def per_month(found: Chains) -> list[dict[str, Any]]:
    """Per month: open cases whose expected decision (the last step, as on the case page) falls in it, and of them
    those with an overdue step and those whose last step is LBF's answer."""
    months = found.on.astype("datetime64[M]")
    rows = []
    for month in np.unique(months):
        here = months == month
        rows.append(
            {
                "month": str(month),
                "expected": int(here.sum()),
                "overdue": int((here & found.overdue).sum()),
                "lbf": int((here & found.lbf).sum()),
            }
        )
    return rows


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


def lbf_months(found: Chains) -> list[dict[str, Any]]:
    """Per month: LBF answers expected for cases waiting for LBF now, and for cases with steps still before LBF."""
    answers = found.where(found.lbf)
    months = answers.on.astype("datetime64[M]")
    rows = []
    for month in np.unique(months):
        here = months == month
        waiting, after = int((here & answers.at_lbf).sum()), int((here & ~answers.at_lbf).sum())
        rows.append({"month": str(month), "waiting": waiting, "after_meeting": after, "expected": waiting + after})
    return rows
