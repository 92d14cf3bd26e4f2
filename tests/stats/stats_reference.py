"""An independent computation of the dashboard statistics from the exported event log, with pandas and lifelines.

It reads only the CSV export (service.stats.eventlog) and workflows' declarations, never the interval table.
"""

import io
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter

from workflows import calendar
from workflows.registry import WORKFLOWS

FINAL = {(k, s.name) for k, w in WORKFLOWS.items() for s in w.states if s.final}


def load(csv_text: str) -> pd.DataFrame:
    events = pd.read_csv(io.StringIO(csv_text), dtype={"from_state": "string", "to_state": "string"})
    events["t"] = pd.to_datetime(events["timestamp"], utc=True).astype("int64") // 10**9
    return events


def cases(events: pd.DataFrame, now: int) -> pd.DataFrame:
    """Per case: type, opening, end (or now) and whether it has ended."""
    ordered = events.sort_index(kind="stable")
    first = ordered.groupby("case_id").first()
    last = ordered.groupby("case_id").last()
    closed = [(k, s) in FINAL for k, s in zip(last["case_type"], last["to_state"], strict=True)]
    frame = pd.DataFrame({"case_type": first["case_type"], "opened": first["t"], "closed": closed})
    changes = ordered[ordered["from_state"].isna() | (ordered["from_state"] != ordered["to_state"])]
    frame["ended"] = np.where(frame["closed"], changes.groupby("case_id")["t"].last(), now)
    return frame


def working_days(start: int, end: int) -> int:
    """Working days after start's Copenhagen date up to and including end's, counted day by day with the calendar."""
    day = datetime.fromtimestamp(start, calendar.LOCAL).date()
    last = datetime.fromtimestamp(end, calendar.LOCAL).date()
    count = 0
    while day < last:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


def km_quantiles(durations: pd.Series, observed: pd.Series, shares: tuple[float, ...]) -> list[float | None]:
    """lifelines' product-limit curve; the first time by which each share of the cases has ended."""
    fitter = KaplanMeierFitter().fit(durations.to_numpy(dtype=float), observed.to_numpy(dtype=bool))
    curve = fitter.survival_function_.iloc[:, 0]
    found = []
    for share in shares:
        below = curve[curve <= 1 - share + 1e-12]
        found.append(float(below.index[0]) if len(below) else None)
    return found


def stays(events: pd.DataFrame) -> pd.DataFrame:
    """Every finished stay: case type, state and seconds, from consecutive state changes."""
    changes = events[events["from_state"].isna() | (events["from_state"] != events["to_state"])].copy()
    changes["left"] = changes.groupby("case_id")["t"].shift(-1)
    done = changes.dropna(subset=["left"])
    return pd.DataFrame({"case_type": done["case_type"], "state": done["to_state"], "seconds": done["left"] - done["t"]})


def month(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, calendar.LOCAL).strftime("%Y-%m")


def day(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, calendar.LOCAL).date()
