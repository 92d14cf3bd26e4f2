"""Lead time per case type, district, plan, deciding board or quarter; open cases count as still running."""

from dataclasses import dataclass
from typing import Any

import numpy as np

from service.stats import survival
from service.stats.filters import Filters
from service.stats.snapshot import DONE, TYPES, Snapshot, select_cases
from service.stats.workdays import local_days, working_days

DAY = 86400.0
GROUP_COLUMNS = {"district": "district", "plan": "plan", "board": "board"}
GROUPS = ("case_type", *GROUP_COLUMNS, "quarter")
SHARES = {"p50": 0.50, "p85": 0.85, "p95": 0.95}


@dataclass(frozen=True)
class Cases:
    """Each case's group (a code into `keys`), when it opened, and when it ended (or now, if it is still open)."""

    code: np.ndarray
    keys: list[Any]  # a group's key: an id (district, plan, board; None: none), a case type or a quarter's name
    opened: np.ndarray
    ended: np.ndarray
    closed: np.ndarray  # bool: the case has reached a final state


def _groups(snapshot: Snapshot, keep: np.ndarray, opened: np.ndarray, group_by: str) -> tuple[np.ndarray, list[Any]]:
    """Each selected case's group as a code, and the groups' keys (numpy throughout: a million cases)."""
    if group_by == "quarter":
        raw = local_days(opened).astype("datetime64[M]").astype(np.int64) // 3  # quarters since 1970
    elif group_by == "case_type":
        raw = snapshot.columns["case_type"][keep].astype(np.int64)
    else:
        raw = snapshot.columns[GROUP_COLUMNS[group_by]][keep]
    values, code = np.unique(raw, return_inverse=True)
    if group_by == "quarter":
        return code, [f"{1970 + q // 4}-K{q % 4 + 1}" for q in values.tolist()]
    if group_by == "case_type":
        return code, [TYPES[t] for t in values.tolist()]
    return code, [None if v < 0 else v for v in values.tolist()]


def cases(snapshot: Snapshot, filters: Filters, visible: np.ndarray | None, group_by: str, now: int) -> Cases:
    """The selected cases' groups, openings and ends (now, for open ones)."""
    keep = select_cases(snapshot, filters, visible)
    c = snapshot.columns
    if not keep.any():
        empty = np.array([], np.int64)
        return Cases(empty, [], empty, empty, np.array([], bool))
    opened, entered = c["opened"][keep], c["entered"][keep]
    closed = c["wait"][keep] == DONE
    code, keys = _groups(snapshot, keep, opened, group_by)
    return Cases(code=code, keys=keys, opened=opened, ended=np.where(closed, entered, now), closed=closed)


def members(found: Cases) -> list[np.ndarray]:
    """Per group (in `found.keys` order), the positions of its cases."""
    order = np.argsort(found.code, kind="stable")
    bounds = np.searchsorted(found.code[order], np.arange(len(found.keys) + 1))
    return [order[bounds[i] : bounds[i + 1]] for i in range(len(found.keys))]


def durations(found: Cases, unit: str) -> np.ndarray:
    """Lead times in calendar days (fractional, to the second) or in whole Danish working days."""
    if unit == "working_days":
        return working_days(found.opened, found.ended).astype(float)
    days: np.ndarray = (found.ended - found.opened) / DAY
    return days


def summarise(values: np.ndarray, closed: np.ndarray) -> dict[str, Any]:
    """Count, open count and Kaplan–Meier quantiles (None: not yet reached, too many cases still open)."""
    times, surv = survival.curve(values, closed)
    row: dict[str, Any] = {"count": len(values), "open": int((~closed).sum()), "closed": int(closed.sum())}
    for name, share in SHARES.items():
        row[name] = survival.quantile(times, surv, share)
    row["closed_median"] = float(np.median(values[closed])) if closed.any() else None
    return row


def lead_times(
    snapshot: Snapshot, *, filters: Filters, visible: np.ndarray | None, group_by: str, unit: str, now: int
) -> list[dict[str, Any]]:
    """One row per group, in key order; keys are ids (district, plan, board) or names (case type, quarter)."""
    found = cases(snapshot, filters, visible, group_by, now)
    values = durations(found, unit)
    rows = [
        {"key": key, **summarise(values[chosen], found.closed[chosen])}
        for key, chosen in zip(found.keys, members(found), strict=True)
    ]
    return sorted(rows, key=lambda r: (r["key"] is None, str(r["key"])))


def curves(
    snapshot: Snapshot, *, filters: Filters, visible: np.ndarray | None, unit: str, now: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A Kaplan–Meier curve per case type: the share of cases still open after so many days."""
    found = cases(snapshot, filters, visible, "case_type", now)
    values = durations(found, unit)
    found_curves = {k: survival.curve(values[i], found.closed[i]) for k, i in zip(found.keys, members(found), strict=True)}
    return dict(sorted(found_curves.items()))
