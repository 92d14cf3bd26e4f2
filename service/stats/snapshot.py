"""Every case's current stay, as numpy columns kept in memory and brought up to date from the history's new events.

Lead times, throughput and aging need every case's current stay: at 100,000 cases reading those rows costs
~0.3 s per request, far more than a dashboard may take. So each process keeps them as columns indexed by case id
and, per request, asks the database one indexed question — which cases have events newer than the ones seen —
and re-reads only those. Events are append-only, so that question finds every change; because PostgreSQL can
commit ids out of order, it looks back MARGIN ids, and a lower newest id or case count (a rollback) reloads all.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from service.forecasting import lbf
from service.forecasting.lbf import ReplyTimes
from service.persistence.case_tables import CASE_EVENTS, CASES
from service.persistence.stats_tables import INTERVALS
from service.stats import chain_facts
from workflows.registry import WORKFLOWS
from workflows.spec import Wait

MARGIN = 1000  # event ids looked back on each refresh: transactions still in flight when the last one was read
RELOAD_SHARE = 0.2  # more changed cases than this share of all: read everything again
TYPES = sorted(WORKFLOWS)
WAITS = [w.value for w in Wait]
STATES = sorted({s.name for w in WORKFLOWS.values() for s in w.states})
COLUMNS = (
    INTERVALS.c.case_id,
    INTERVALS.c.case_type,
    INTERVALS.c.wait,
    INTERVALS.c.state,
    INTERVALS.c.district_id,
    INTERVALS.c.plan_id,
    INTERVALS.c.deciding_board_id,
    INTERVALS.c.opened_at,
    INTERVALS.c.entered_at,
)


@dataclass
class Snapshot:
    last_event: int = 0
    cases: int = 0
    size: int = 0
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    replies: ReplyTimes | None = None  # LBF's reply times as of this snapshot (read when first asked)

    def resize(self, size: int) -> None:
        """Room for case ids below `size`; new slots are absent."""
        if size <= self.size:
            return
        small = {"case_type": np.int16, "wait": np.int8, "state": np.int16}
        grown = {
            "present": np.zeros(size, bool),
            **{name: np.zeros(size, kind) for name, kind in small.items()},
            **{name: np.full(size, -1, np.int64) for name in ("district", "plan", "board")},
            "opened": np.zeros(size, np.int64),
            "entered": np.zeros(size, np.int64),
            "lbf_needed": np.zeros(size, bool),
            **{name: np.full(size, chain_facts.NONE, np.int64) for name in FACTS},
        }
        for name, values in self.columns.items():
            grown[name][: self.size] = values
        self.columns, self.size = grown, size

    def put(self, rows: Sequence[Any]) -> None:
        # Cases of a type no longer (or only temporarily) registered have no codes here: they are left out.
        rows = [r for r in rows if r[1] in TYPES and r[3] in STATES]
        if not rows:
            return
        codes = [(r[0], TYPES.index(r[1]), WAITS.index(r[2]), STATES.index(r[3])) for r in rows]
        data = np.array(
            [[*c, *(-1 if v is None else v for v in r[4:])] for c, r in zip(codes, rows, strict=True)], dtype=np.int64
        )
        ids = data[:, 0]
        self.resize(int(ids.max()) + 1)
        c = self.columns
        c["present"][ids] = True
        for i, name in enumerate(("case_type", "wait", "state", "district", "plan", "board", "opened", "entered"), 1):
            c[name][ids] = data[:, i]

    def put_facts(self, found: dict[int, chain_facts.Facts], cases: Sequence[int] = ()) -> None:
        """The chain facts of open cases (`cases`: changed ones, whose facts are first cleared)."""
        c, cleared = self.columns, np.array([i for i in cases if i < self.size], dtype=np.int64)
        c["lbf_needed"][cleared] = False
        for name in FACTS:
            c[name][cleared] = chain_facts.NONE
        ids = np.array([i for i in found if i < self.size], dtype=np.int64)
        if not len(ids):
            return
        c["lbf_needed"][ids] = [found[int(i)].lbf_needed for i in ids]
        for name in FACTS:
            c[name][ids] = [getattr(found[int(i)], name) for i in ids]

    def reply_times(self, connection: Connection) -> ReplyTimes:
        """LBF's observed reply times, read once per snapshot (they change only with new events)."""
        if self.replies is None:
            self.replies = lbf.reply_times(connection)
        return self.replies


FACTS = ("meeting", "central_meeting", "written_until", "report_due")
_CACHE: dict[str, Snapshot] = {}
_LOCK = threading.Lock()


def _fingerprint(connection: Connection) -> tuple[int, int]:
    newest = connection.execute(select(func.coalesce(func.max(CASE_EVENTS.c.id), 0))).scalar_one()
    count = connection.execute(select(func.count()).select_from(CASES)).scalar_one()
    return int(newest), int(count)


def _load(connection: Connection, newest: int, count: int) -> Snapshot:
    snapshot = Snapshot(newest, count)
    snapshot.resize(1)  # columns exist even while there are no cases
    snapshot.put(connection.execute(select(*COLUMNS).where(INTERVALS.c.left_at.is_(None))).all())
    snapshot.put_facts(chain_facts.read(connection))
    return snapshot


def _refresh(connection: Connection, snapshot: Snapshot, newest: int, count: int) -> Snapshot:
    changed = select(CASE_EVENTS.c.case_id).where(CASE_EVENTS.c.id > snapshot.last_event - MARGIN).distinct()
    ids = connection.execute(changed).scalars().all()
    if len(ids) > RELOAD_SHARE * max(count, 1):
        return _load(connection, newest, count)
    now_in = select(*COLUMNS).where(INTERVALS.c.left_at.is_(None), INTERVALS.c.case_id.in_(ids))
    # A new snapshot, not the old one changed: requests still reading the old one see it whole.
    fresh = Snapshot(newest, count, snapshot.size, {name: values.copy() for name, values in snapshot.columns.items()})
    fresh.put(connection.execute(now_in).all())
    fresh.put_facts(chain_facts.read(connection, ids), ids)
    return fresh


def current(connection: Connection) -> Snapshot:
    """The current stays of all cases as of this connection's view of the database."""
    newest, count = _fingerprint(connection)
    key = connection.engine.url.render_as_string(hide_password=True)
    with _LOCK:
        snapshot = _CACHE.get(key)
        if snapshot is None or newest < snapshot.last_event or count < snapshot.cases:
            snapshot = _load(connection, newest, count)
        elif (newest, count) != (snapshot.last_event, snapshot.cases):
            snapshot = _refresh(connection, snapshot, newest, count)
        _CACHE[key] = snapshot
        return snapshot


def select_cases(snapshot: Snapshot, filters: Any, visible: np.ndarray | None, period_on: str = "opened") -> np.ndarray:
    """The case ids (as a boolean mask over the columns) that the filters and the viewer's visibility keep."""
    from service.stats.filters import day_start

    c = snapshot.columns
    if not c:
        return np.zeros(0, bool)
    keep = c["present"].copy()
    if filters.case_type is not None:
        keep &= c["case_type"] == (TYPES.index(filters.case_type) if filters.case_type in TYPES else -1)
    for name, value in (("district", filters.district_id), ("plan", filters.plan_id), ("board", filters.board_id)):
        if value is not None:
            keep &= c[name] == value
    if filters.start is not None:
        keep &= c[period_on] >= day_start(filters.start)
    if filters.end is not None:
        keep &= c[period_on] < day_start(filters.end) + 86400
    if visible is not None:
        allowed = np.zeros(snapshot.size, bool)
        allowed[visible[visible < snapshot.size]] = True
        keep &= allowed
    return keep


DONE = WAITS.index(Wait.done.value)
