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
import os
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bench import report
from bench.floor import run_core, run_floor
from bench.hotspots import profile_apply
from bench.pg import DURABILITY, postgres
from bench.workload import STEPS, all_closed, open_cases, prepare_database, run_apply
from service.authz import Actor

TARGET = 0.5
RESULTS = Path(__file__).parent / "results" / "transitions.json"


@dataclass(frozen=True)
class Database:
    url: str
    engine: Engine
    actors: dict[str, Actor]
    plan_id: int


@dataclass(frozen=True)
class Backend:
    name: str
    app: Database  # driven through apply_action
    floor: Database  # a separate fresh database for the raw-SQL floor


def database(url: str) -> Database:
    return Database(url, *prepare_database(url))


def one_round(backend: Backend, cases: int, floor_first: bool) -> dict[str, float]:
    """Open fresh cases (untimed), then time the floor, apply_action and the Core two-statement run on them."""
    app, floor = backend.app, backend.floor
    app_jobs = open_cases(app.engine, app.actors, app.plan_id, cases)
    floor_jobs = open_cases(floor.engine, floor.actors, floor.plan_id, cases)
    core_jobs = open_cases(floor.engine, floor.actors, floor.plan_id, cases)
    runs = {
        "floor": lambda: run_floor(backend.name, floor.url, floor.actors, floor_jobs),
        "apply": lambda: run_apply(app.engine, app.actors, app_jobs),
        "core": lambda: run_core(floor.engine, floor.actors, core_jobs),
    }
    order = ["floor", "apply", "core"] if floor_first else ["core", "apply", "floor"]
    rates = {kind: len(app_jobs) / runs[kind]() for kind in order}
    if not all(all_closed(db.engine, jobs) for db, jobs in ((app, app_jobs), (floor, floor_jobs), (floor, core_jobs))):
        raise RuntimeError(f"{backend.name}: not every case reached 'closed'")
    return {**rates, "ratio": rates["apply"] / rates["floor"]}


def summarise(name: str, rounds: list[dict[str, float]]) -> dict[str, Any]:
    ratio = statistics.median(r["ratio"] for r in rounds)
    return {
        "backend": name,
        "floor_tps": round(statistics.median(r["floor"] for r in rounds), 1),
        "apply_action_tps": round(statistics.median(r["apply"] for r in rounds), 1),
        "ratio": round(ratio, 3),
        "core_two_statements_tps": round(statistics.median(r["core"] for r in rounds), 1),
        "target": TARGET,
        "pass": ratio >= TARGET,
        "rounds": [{key: round(value, 3) for key, value in r.items()} for r in rounds],
    }


def measure(backends: list[Backend], args: argparse.Namespace) -> dict[str, Any]:
    for backend in backends:  # warm-up, not reported: connection pools, statement caches, imports
        one_round(backend, 4, floor_first=True)
    rounds: dict[str, list[dict[str, float]]] = {b.name: [] for b in backends}
    for i in range(args.rounds):
        for backend in backends:
            rounds[backend.name].append(one_round(backend, args.cases, floor_first=i % 2 == 0))
            report.progress(backend.name, i + 1, rounds[backend.name][-1])
    profiles = {}
    for backend in backends:
        app = backend.app
        counted, profiled = (open_cases(app.engine, app.actors, app.plan_id, args.profile_cases) for _ in range(2))
        profiles[backend.name] = profile_apply(app.engine, app.actors, counted, profiled)
    return {"results": [summarise(b.name, rounds[b.name]) for b in backends], "profile": profiles}


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="boligsocial-bench."))
    try:
        with postgres(work, ("bench_app", "bench_floor")) as pg:
            backends = [
                Backend("sqlite", database(f"sqlite:///{work}/app.db"), database(f"sqlite:///{work}/floor.db")),
                Backend("postgresql", database(pg["bench_app"]), database(pg["bench_floor"])),
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200, help="change requests per round and backend (even)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    parser.add_argument("--profile-cases", type=int, default=40, help="change requests in the profiled run")
    args = parser.parse_args(argv)
    args.cases += args.cases % 2  # cases come in pairs that move the same money there and back
    args.profile_cases += args.profile_cases % 2
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = {"cases_per_round": args.cases, "transitions_per_case": len(STEPS), "rounds": args.rounds,
              "steps": [f"{s.actor}:{s.action}" for s in STEPS], "postgresql": DURABILITY,
              "sqlite": {"journal_mode": "WAL", "synchronous": "NORMAL", "foreign_keys": "ON"}}  # fmt: skip
    report.header(config)
    load_before = os.getloadavg()[0]
    measured = run(args)
    load = {"cpus": os.cpu_count(), "load_1min_before": load_before, "load_1min_after": os.getloadavg()[0]}
    outcome = {"generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "config": config, "source": source(),
               "machine": load, **measured}  # fmt: skip
    report.table(outcome)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(outcome, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


if __name__ == "__main__":
    main()
