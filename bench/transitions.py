"""Transitions per second through apply_action against the raw-SQL floor, on SQLite (file, WAL) and PostgreSQL 15.

`make bench` runs it; `.venv/bin/python -m bench.transitions --help` lists the knobs. It starts a throwaway
PostgreSQL (normal durability: fsync and synchronous_commit on) and SQLite files in a temporary folder, runs
interleaved rounds (the order of the runs alternates), reports medians, profiles apply_action on each
backend, writes bench/results/transitions.json and removes the temporary folder.
"""

import argparse
import hashlib
import json
import logging
import math
import os
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report
from bench.floor import run_core, run_floor
from bench.hotspots import profile_apply
from bench.pg import DURABILITY, postgres
from bench.workload import STEPS, Timed, World, all_closed, open_cases, prepare_database, run_apply

TARGETS = {"postgresql": 0.5, "sqlite": 0.25}  # issue 8: apply_action's rate as a share of the raw-driver floor's
RESULTS = Path(__file__).parent / "results" / "transitions.json"


@dataclass(frozen=True)
class Backend:
    name: str
    app: World  # driven through apply_action
    floor: World  # a separate fresh database for the raw-SQL floor


def one_round(backend: Backend, cases: int, floor_first: bool) -> dict[str, Any]:
    """Open fresh cases (untimed), then time the floor, apply_action and the Core two-statement run on them."""
    app, floor = backend.app, backend.floor
    app_jobs = open_cases(app, cases)
    floor_jobs = open_cases(floor, cases)
    core_jobs = open_cases(floor, cases)
    runs: dict[str, Callable[[], Timed]] = {
        "floor": lambda: run_floor(backend.name, floor.url, floor.actors, floor_jobs),
        "apply": lambda: run_apply(app, app_jobs),
        "core": lambda: Timed(run_core(floor.engine, floor.actors, core_jobs)),
    }
    order = ["floor", "apply", "core"] if floor_first else ["core", "apply", "floor"]
    timed = {kind: runs[kind]() for kind in order}
    rates = {kind: len(app_jobs) / t.seconds for kind, t in timed.items()}
    if not all(all_closed(db.engine, jobs) for db, jobs in ((app, app_jobs), (floor, floor_jobs), (floor, core_jobs))):
        raise RuntimeError(f"{backend.name}: not every case reached 'closed'")
    return {**rates, "ratio": rates["apply"] / rates["floor"], "ms": {k: timed[k].ms for k in ("floor", "apply")}}


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (nan when empty)."""
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {"p50_ms": round(percentile(ordered, 50), 2), "p99_ms": round(percentile(ordered, 99), 2)}


def summarise(name: str, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    ratio = statistics.median(r["ratio"] for r in rounds)
    return {
        "backend": name,
        "floor_tps": round(statistics.median(r["floor"] for r in rounds), 1),
        "apply_action_tps": round(statistics.median(r["apply"] for r in rounds), 1),
        "ratio": round(ratio, 3),
        "core_two_statements_tps": round(statistics.median(r["core"] for r in rounds), 1),
        "floor_latency": latency([ms for r in rounds for ms in r["ms"]["floor"]]),
        "apply_latency": latency([ms for r in rounds for ms in r["ms"]["apply"]]),
        "target": TARGETS[name],
        "pass": ratio >= TARGETS[name],
        "rounds": [{key: round(value, 3) for key, value in r.items() if key != "ms"} for r in rounds],
    }


def measure(backends: list[Backend], args: argparse.Namespace) -> dict[str, Any]:
    for backend in backends:  # warm-up, not reported: connection pools, statement caches, imports
        one_round(backend, 4, floor_first=True)
    rounds: dict[str, list[dict[str, Any]]] = {b.name: [] for b in backends}
    for i in range(args.rounds):
        for backend in backends:
            rounds[backend.name].append(one_round(backend, args.cases, floor_first=i % 2 == 0))
            report.progress(backend.name, i + 1, rounds[backend.name][-1])
    profiles = {}
    for backend in backends:
        counted, profiled = (open_cases(backend.app, args.profile_cases) for _ in range(2))
        profiles[backend.name] = profile_apply(backend.app, counted, profiled)
    return {"results": [summarise(b.name, rounds[b.name]) for b in backends], "profile": profiles}


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="boligsocial-bench."))
    try:
        with postgres(work, ("bench_app", "bench_floor")) as pg:
            backends = [
                Backend("sqlite", prepare_database(f"sqlite:///{work}/app.db"), prepare_database(f"sqlite:///{work}/f.db")),
                Backend("postgresql", prepare_database(pg["bench_app"]), prepare_database(pg["bench_floor"])),
            ]
            try:
                return measure(backends, args)
            finally:
                for backend in backends:
                    backend.app.engine.dispose()
                    backend.floor.engine.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def source() -> dict[str, Any]:
    """The commit measured, and whether service/ or workflows/ had uncommitted changes (they are measured as they are)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=Path(__file__).parent.parent)
        return done.stdout.strip()

    diff = git("diff", "HEAD", "--", "service", "workflows")
    return {
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "service", "workflows")),
        "uncommitted_diff_sha1": hashlib.sha1(diff.encode()).hexdigest() if diff else None,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure, print the report, write bench/results/transitions.json and return what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100, help="change requests per round and backend (even)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    parser.add_argument("--profile-cases", type=int, default=20, help="change requests in the profiled run")
    args = parser.parse_args(argv)
    args.cases += args.cases % 2  # cases come in pairs that move the same money there and back
    args.profile_cases += args.profile_cases % 2
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = {
        "cases_per_round": args.cases,
        "transitions_per_case": len(STEPS),
        "rounds": args.rounds,
        "steps": [f"{s.actor}:{s.action}" for s in STEPS],
        "postgresql": DURABILITY,
        "sqlite": {"journal_mode": "WAL", "synchronous": "NORMAL", "foreign_keys": "ON"},
    }
    report.header(config)
    load_before = os.getloadavg()[0]
    measured = run(args)
    load = {"cpus": os.cpu_count(), "load_1min_before": load_before, "load_1min_after": os.getloadavg()[0]}
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    outcome = {"generated_at": generated, "config": config, "source": source(), "machine": load, **measured}
    report.table(outcome)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(outcome, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")
    return outcome


if __name__ == "__main__":
    main()
