"""Dashboard statistics at scale: every /stats endpoint and the dashboard pages, warm, on SQLite and PostgreSQL.

`make bench-stats` (or `.venv/bin/python -m bench.stats --cases 100000`) generates N cases with `seed-demo --scale`
(bulk rows, as the engine writes them) into a fresh SQLite file and a throwaway PostgreSQL 15, then times each
endpoint in-process through the full app (TestClient): one warm-up request, then the median of --repeat. For
comparison it computes lead times and time in state from the exported event log with pandas, the event log
already in memory (load time not counted), and prints the ratio. Target: every endpoint and page under 250 ms.
"""

import argparse
import json
import re
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from bench.pg import postgres
from service.config import Settings
from service.demo.scale import generate
from service.demo.seed import DEMO_TODAY, seed_demo
from service.main import create_app
from service.persistence import migrate
from service.persistence.db import make_engine
from service.stats import eventlog

TARGETS_MS = {100_000: 250.0, 1_000_000: 1000.0}  # the targets: up to 100,000 cases, and at 1,000,000


def target(cases: int) -> float:
    """The target for a register of this size: 250 ms up to 100,000 cases, 1 s beyond."""
    return TARGETS_MS[100_000] if cases <= 100_000 else TARGETS_MS[1_000_000]


ENDPOINTS = [
    "/api/v1/stats/lead-times",
    "/api/v1/stats/lead-times?group_by=quarter&unit=working_days",
    "/api/v1/stats/lead-times?group_by=plan&from=2016-01-01&to=2016-06-30",
    "/api/v1/stats/time-in-state",
    "/api/v1/stats/time-in-state?district_id=1&case_type=change_request",
    "/api/v1/stats/open-cases",
    "/api/v1/stats/open-cases?sort=in_state&case_type=lbf_submission",
    "/api/v1/stats/throughput",
    "/api/v1/stats/forecasts",
    "/statistik",
    "/statistik/tid-i-status",
    "/statistik/aabne-sager",
    "/statistik/flow",
    "/statistik/prognose",
]
CHARTS = ["/statistik/diagram/survival.svg", "/statistik/diagram/wait-split.svg", "/statistik/diagram/flow.svg"]


def prepare(url: str, count: int, var: Path) -> tuple[Settings, float]:
    """Seed the demo and generate `count` cases; a kept database that has them already is used as it is (0 s)."""
    settings = Settings(_env_file=None, database_url=url, var_dir=var, secret_key="bench-" + "x" * 40, demo=True)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    seconds = 0.0
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT count(*) FROM cases")).scalar_one() >= count
    if not kept:
        started = time.perf_counter()
        with Session(engine) as session:
            seed_demo(session)
            generate(session, count, until=DEMO_TODAY)
        seconds = time.perf_counter() - started
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()
    return settings, seconds


def logged_in(client: TestClient) -> dict[str, str]:
    """A bearer token for the API and a session cookie for the pages, both the secretariat's (sees every case)."""
    token = client.post("/api/v1/auth/token", data={"username": "camilla.juhl", "password": "demo"}).json()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert csrf is not None
    client.post("/login", data={"username": "camilla.juhl", "password": "demo", "csrf": csrf.group(1)})
    return {"Authorization": f"Bearer {token['access_token']}"}


def timed(client: TestClient, path: str, headers: dict[str, str], repeat: int) -> float:
    """Median milliseconds of `repeat` requests after one warm-up."""
    assert client.get(path, headers=headers).status_code == 200, path
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def pandas_reference(events: pd.DataFrame, now: int) -> float:
    """Milliseconds pandas needs for lead-time quantiles and time in state from the event log in memory."""
    started = time.perf_counter()
    changes = events[events["from_state"].isna() | (events["from_state"] != events["to_state"])]
    per_case = changes.groupby("case_id").agg(case_type=("case_type", "first"), opened=("t", "first"), last=("t", "last"))
    per_case["lead"] = per_case["last"] - per_case["opened"]  # closed or not: the cheap part of KM only
    per_case.groupby("case_type")["lead"].quantile([0.5, 0.85, 0.95])
    stays = changes.assign(left=changes.groupby("case_id")["t"].shift(-1)).dropna(subset=["left"])
    stays.assign(seconds=stays["left"] - stays["t"]).groupby(["case_type", "to_state"])["seconds"].describe(
        percentiles=[0.5, 0.85]
    )
    return (time.perf_counter() - started) * 1000


def count_events(settings: Settings) -> int:
    engine = make_engine(settings)
    with engine.connect() as connection:
        count = int(connection.execute(text("SELECT count(*) FROM case_events")).scalar_one())
    engine.dispose()
    return count


def event_frame(settings: Settings, chunk: int = 500_000) -> pd.DataFrame:
    """The exported event log (service.stats.eventlog) as a DataFrame of the columns the comparison needs.

    Read in chunks with categorical states, so the log of 1,000,000 cases (~8 million events) fits in memory.
    """
    engine = make_engine(settings)
    names = ("case_id", "case_type", "from_state", "to_state", "timestamp")
    parts, columns = [], {name: [] for name in names}  # type: ignore[var-annotated]
    with engine.connect() as connection:
        for i, row in enumerate(eventlog.events(connection), 1):
            for name in names:
                columns[name].append(row[name])
            if i % chunk == 0:
                parts.append(_frame(columns))
                columns = {name: [] for name in names}
    engine.dispose()
    parts.append(_frame(columns))
    frame = pd.concat(parts, ignore_index=True)
    frame["case_type"] = frame["case_type"].astype("category")
    states = pd.CategoricalDtype(sorted(set(frame["from_state"].dropna()) | set(frame["to_state"])))
    frame["from_state"], frame["to_state"] = frame["from_state"].astype(states), frame["to_state"].astype(states)
    return frame


def _frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    frame = pd.DataFrame({k: v for k, v in columns.items() if k != "timestamp"})
    frame["t"] = pd.to_datetime(pd.Series(columns["timestamp"], dtype=object), utc=True).astype("int64") // 10**9
    return frame


def measure(backend: str, settings: Settings, seed_seconds: float, repeat: int, compare: bool = True) -> dict[str, Any]:
    app = create_app(settings)
    with TestClient(app) as client:
        headers = logged_in(client)
        times = {path: timed(client, path, headers, repeat) for path in ENDPOINTS}
        charts = {path: timed(client, path, headers, repeat) for path in CHARTS}
    app.state.engine.dispose()
    frame = event_frame(settings) if compare else pd.DataFrame(index=range(count_events(settings)))
    pandas_ms = min(pandas_reference(frame, int(DEMO_TODAY.timestamp())) for _ in range(3)) if compare else float("nan")
    ours = times["/api/v1/stats/lead-times"] + times["/api/v1/stats/time-in-state"]
    return {
        "backend": backend,
        "seed_seconds": seed_seconds,
        "events": len(frame),
        "times_ms": times,
        "charts_ms": charts,
        "pandas_ms": pandas_ms,
        "ratio": pandas_ms / ours,
    }


def report(results: list[dict[str, Any]], count: int) -> None:
    backends = [r["backend"] for r in results]
    for r in results:
        r["pass"] = all(ms < target(count) for ms in r["times_ms"].values())
    print(f"\nDashboard statistics at {count:,} cases (median of warm requests, ms; target < {target(count):.0f} ms)")
    print(f"{'endpoint':<72}" + "".join(f"{b:>12}" for b in backends))
    for path in ENDPOINTS + CHARTS:
        cells = "".join(f"{r['times_ms'].get(path, r['charts_ms'].get(path, 0)):>12.1f}" for r in results)
        print(f"{path:<72}{cells}" + ("   (chart, not in the target)" if path in CHARTS else ""))
    print(f"{'history events':<72}" + "".join(f"{r['events']:>12,}" for r in results))
    print(f"{'seed-demo --scale (s)':<72}" + "".join(f"{r['seed_seconds']:>12.1f}" for r in results))
    print(
        f"{'pandas from the event log in memory: lead times + time in state':<72}"
        + "".join(f"{r['pandas_ms']:>12.1f}" for r in results)
    )
    print(
        f"{'ratio pandas / (lead-times + time-in-state endpoints)':<72}" + "".join(f"{r['ratio']:>11.1f}x" for r in results)
    )
    print(
        f"{'every endpoint and page under target':<72}" + "".join(f"{'PASS' if r['pass'] else 'FAIL':>12}" for r in results)
    )


def run(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    """Prepare and measure each backend in `work`."""
    work.chmod(0o755)  # PostgreSQL runs as its own user when we are root (bench.pg)
    results = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            settings, seconds = prepare(f"sqlite:///{work / f'stats-{args.cases}.db'}", args.cases, work / "var-sqlite")
            results.append(measure("SQLite", settings, seconds, args.repeat, not args.no_pandas))
        else:
            (work / f"pg-{args.cases}").mkdir(exist_ok=True)
            with postgres(work / f"pg-{args.cases}", ("stats",)) as urls:
                settings, seconds = prepare(urls["stats"], args.cases, work / "var-pg")
                results.append(measure("PostgreSQL", settings, seconds, args.repeat, not args.no_pandas))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas comparison")
    parser.add_argument("--keep", type=Path, help="keep the databases in this folder and reuse them on the next run")
    args = parser.parse_args()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        results = run(args, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-stats-") as folder:
            results = run(args, Path(folder))
    report(results, args.cases)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"stats-{args.cases}.json").write_text(
        json.dumps({"at": datetime.now().isoformat(), "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()
