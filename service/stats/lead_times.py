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
    """Each case's group key, when it opened, and when it ended (or now, if it is still open)."""

    key: np.ndarray
    opened: np.ndarray
    ended: np.ndarray
    closed: np.ndarray  # bool: the case has reached a final state


def cases(snapshot: Snapshot, filters: Filters, visible: np.ndarray | None, group_by: str, now: int) -> Cases:
    """The selected cases' group keys, openings and ends (now, for open ones)."""
    keep = select_cases(snapshot, filters, visible)
    c = snapshot.columns
    if not keep.any():
        return Cases(np.array([], object), np.array([], np.int64), np.array([], np.int64), np.array([], bool))
    opened, entered = c["opened"][keep], c["entered"][keep]
    closed = c["wait"][keep] == DONE
    if group_by == "quarter":
        months = local_days(opened).astype("datetime64[M]").astype(int)  # months since 1970-01
        codes = np.unique(months)
        names = {m: f"{1970 + m // 12}-K{m % 12 // 3 + 1}" for m in codes.tolist()}
        key = np.array([names[m] for m in months.tolist()], dtype=object)
    elif group_by == "case_type":
        key = np.array(TYPES, dtype=object)[c["case_type"][keep]]
    else:
        raw = c[GROUP_COLUMNS[group_by]][keep]
        key = raw.astype(object)
        key[raw < 0] = None
    return Cases(key=key, opened=opened, ended=np.where(closed, entered, now), closed=closed)


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
    result = []
    for key in sorted(set(found.key.tolist()), key=lambda k: (k is None, str(k))):
        mask = found.key == key
        result.append({"key": key, **summarise(values[mask], found.closed[mask])})
    return result


def curves(
    snapshot: Snapshot, *, filters: Filters, visible: np.ndarray | None, unit: str, now: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A Kaplan–Meier curve per case type: the share of cases still open after so many days."""
    found = cases(snapshot, filters, visible, "case_type", now)
    values = durations(found, unit)
    return {k: survival.curve(values[found.key == k], found.closed[found.key == k]) for k in sorted(set(found.key))}
