"""HTTP throughput of `POST /api/v1/cases/{id}/actions/{action}` with 1, 4 and 16 clients against in-process apply_action.

`make bench` runs it after bench.transitions; `.venv/bin/python -m bench.http --help` lists the knobs. It starts a
throwaway PostgreSQL 15 (normal durability: fsync and synchronous_commit on), migrates and seeds it, starts the real
server (`boligsocial serve --no-worker`: one uvicorn process; serve has no --workers option) on a free loopback port,
logs the personas in once, and opens every change request beforehand (untimed). Each round times the same STEPS
through apply_action in this process (one thread, the rate the ratio is taken to) and over HTTP with each number
of clients, every client driving its own cases so no two requests race for a version; the order alternates from
round to round. Reports the median rate and ratio over the rounds and latency percentiles over all of them,
replays a request's work in-process phase by phase to show where its time goes, writes bench/results/http.json,
and stops the server and PostgreSQL.
"""

import argparse
import json
import logging
import math
import os
import shutil
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench import http_report
from bench.client import Run, login, ping, run_clients
from bench.pg import DURABILITY, postgres
from bench.request_path import replay
from bench.server import cpu_seconds, postgres_cpu_seconds, serve
from bench.transitions import source
from bench.workload import OPENER, STEPS, Job, _change_request, all_closed, prepare_database, run_apply
from service import cases
from service.authz import Actor
from service.config import Settings
from workflows.registry import WORKFLOWS

LEVELS = (1, 4, 16)
TARGET_RATIO, TARGET_AT, TARGET_P99_MS = 0.5, 4, 100.0
# Every case moves DKK 1,000 within UB between 2017 and 2016 (LBF); all cases of one run move the same way, the next
# run's the other way. Opposite moves in flight together deadlock in PostgreSQL (each `implement` locks the two budget
# lines in its own from -> to order); --opposite-moves alternates per case, as bench/workload.py does, to show it.
AMOUNT_DKK = 1_000
CPU_KEYS = ("cpu_ms_server", "cpu_ms_postgresql", "cpu_ms_bench")
Sample = tuple[str, float]  # (action, latency in ms)
RESULTS = Path(__file__).parent / "results" / "http.json"


@dataclass(frozen=True)
class Bench:
    engine: Engine
    settings: Settings
    actors: dict[str, Actor]
    plan_id: int
    host: str
    port: int
    tokens: dict[str, str]
    server_pid: int
    pg_data: Path
    opposite_moves: bool


def open_owned(bench: Bench, n: int, way: int) -> list[int]:
    """Open n change requests on the plan in-process (setup, never timed), moving money one `way` (0 or 1)."""
    ids = []
    with Session(bench.engine) as session:
        for i in range(n):
            data = _change_request(i if bench.opposite_moves else way)
            data["budget_moves"][0]["amount_dkk"] = AMOUNT_DKK
            case = cases.open_case(session=session, actor=bench.actors[OPENER], case_type="change_request",
                                   plan_id=bench.plan_id, title=f"HTTP benchmark {i}", data=data)  # fmt: skip
            assert case.id is not None
            ids.append(case.id)
    return ids


def case_by_case(case_ids: list[int]) -> list[Job]:
    """The transitions in the order one HTTP client takes them: each case from draft to closed, then the next."""
    jobs = []
    for case_id in case_ids:
        from_state = WORKFLOWS["change_request"].initial
        for k, step in enumerate(STEPS):
            jobs.append(Job(case_id, 1 + k, from_state, step))
            from_state = step.to_state
    return jobs


def cpu_use(bench: Bench, work: Callable[[], tuple[float, int]]) -> dict[str, float]:
    """Run `work` (returning its wall seconds and requests); CPU ms per request of server, PostgreSQL and this process."""
    groups: dict[str, Callable[[], float]] = {
        "server": lambda: cpu_seconds([bench.server_pid]),
        "postgresql": lambda: postgres_cpu_seconds(bench.pg_data),
        "bench": lambda: cpu_seconds([os.getpid()]),
    }
    before = {name: read() for name, read in groups.items()}
    seconds, requests = work()
    used = {name: read() - before[name] for name, read in groups.items()}
    per_request = {f"cpu_ms_{name}": 1000 * used[name] / max(1, requests) for name in groups}
    return {"seconds": seconds, "requests": requests, **per_request, "server_cores": used["server"] / seconds}


def in_process(bench: Bench, case_ids: list[int]) -> dict[str, float]:
    jobs = case_by_case(case_ids)
    measured = cpu_use(bench, lambda: (run_apply(bench.engine, bench.actors, jobs), len(jobs)))
    if not all_closed(bench.engine, jobs):
        raise RuntimeError("in-process: not every case reached 'closed'")
    return {"tps": len(jobs) / measured["seconds"], **measured}


def over_http(bench: Bench, case_ids: list[int], clients: int, max_seconds: float) -> tuple[dict[str, Any], Run]:
    """Split the cases among the clients (each owns its share) and time them all."""
    shares = [case_ids[i::clients] for i in range(clients)]
    run = Run()

    def work() -> tuple[float, int]:
        nonlocal run
        run = run_clients(bench.host, bench.port, bench.tokens, shares, max_seconds)
        return run.seconds, len(run.samples)

    measured = cpu_use(bench, work)
    latencies = sorted(ms for _action, ms in run.samples)
    row = {"clients": clients, "rps": len(latencies) / run.seconds, "errors": run.errors,
           "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), **measured}  # fmt: skip
    return row, run


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (nan when empty)."""
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def one_round(bench: Bench, args: argparse.Namespace, forward: bool) -> tuple[dict[str, Any], dict[int, list[Sample]]]:
    """In-process and each level once, in this order or its reverse; each on cases opened for it beforehand."""
    order: list[int | None] = [None, *LEVELS] if forward else [*reversed(LEVELS), None]
    owned = {level: open_owned(bench, args.cases, way) for way, level in enumerate(order)}
    result: dict[str, Any] = {"levels": {}}
    samples: dict[int, list[Sample]] = {}
    for level in order:
        if level is None:
            result["in_process"] = in_process(bench, owned[level])
        else:
            result["levels"][level], run = over_http(bench, owned[level], level, args.max_seconds)
            samples[level] = run.samples
    for row in result["levels"].values():
        row["ratio"] = row["rps"] / result["in_process"]["tps"]
    return result, samples


def medians(runs: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, float]:
    return {key: round(statistics.median(run[key] for run in runs), 3) for key in keys}


def by_action(samples: list[Sample]) -> dict[str, dict[str, float]]:
    """p50 and p99 of each action's requests."""
    grouped: dict[str, list[float]] = {}
    for action, ms in samples:
        grouped.setdefault(action, []).append(ms)
    return {action: {f"p{p}_ms": round(percentile(sorted(ms), p), 2) for p in (50, 99)} for action, ms in grouped.items()}


def summarise(level: int, runs: list[dict[str, Any]], samples: list[Sample]) -> dict[str, Any]:
    """One level over the rounds: median rate, ratio and CPU; percentiles over every request of every round."""
    ordered = sorted(ms for _action, ms in samples)
    row: dict[str, Any] = {"clients": level, **medians(runs, ("rps", "ratio", "server_cores", *CPU_KEYS)),
           "p50_ms": round(percentile(ordered, 50), 2), "p99_ms": round(percentile(ordered, 99), 2),
           "errors": [error for run in runs for error in run["errors"]], "by_action": by_action(samples)}  # fmt: skip
    row["p99_pass"] = row["p99_ms"] < TARGET_P99_MS
    row["ratio_pass"] = row["ratio"] >= TARGET_RATIO if level == TARGET_AT else None
    row["pass"] = row["p99_pass"] and row["ratio_pass"] is not False and not row["errors"]
    return row


def measure(bench: Bench, args: argparse.Namespace) -> dict[str, Any]:
    in_process(bench, open_owned(bench, 4, 0))  # warm-up, not reported: pools, statement caches, threads, backends
    over_http(bench, open_owned(bench, max(LEVELS), 1), max(LEVELS), args.max_seconds)
    rounds: list[dict[str, Any]] = []
    samples: dict[int, list[Sample]] = {level: [] for level in LEVELS}
    for i in range(args.rounds):
        result, seen = one_round(bench, args, forward=i % 2 == 0)
        rounds.append(result)
        for level, values in seen.items():
            samples[level] += values
        http_report.progress(i + 1, result)
    user_ids = {name: actor.user_id for name, actor in bench.actors.items()}
    path = replay(bench.engine, bench.settings, user_ids, open_owned(bench, args.profile_cases, 0))
    return {
        "in_process": {"threads": 1, **medians([r["in_process"] for r in rounds], ("tps", *CPU_KEYS))},
        "results": [summarise(level, [r["levels"][level] for r in rounds], samples[level]) for level in LEVELS],
        "healthz_rps_one_client": round(ping(bench.host, bench.port, args.pings), 1),
        "request_path": path,
        "rounds": [_rounded(r) for r in rounds],
    }


def _rounded(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _rounded(v) for k, v in value.items()}
    return round(value, 3) if isinstance(value, float) else value


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="boligsocial-bench-http."))
    try:
        with postgres(work, ("bench_http",)) as pg:
            engine, actors, plan_id = prepare_database(pg["bench_http"])  # migrate + seed-demo, in-process
            try:
                with serve(pg["bench_http"], work) as (host, port, pid):
                    tokens = login(host, port, set(actors))
                    settings = Settings(database_url=pg["bench_http"], secret_key="x" * 48, _env_file=None)
                    bench = Bench(
                        engine, settings, actors, plan_id, host, port, tokens, pid, work / "pg", args.opposite_moves
                    )
                    measured = measure(bench, args)
            finally:
                engine.dispose()
        if any(row["errors"] for row in measured["results"]):
            log = (work / "server.log").read_text().splitlines()
            measured["server_log_errors"] = [line for line in log if "Error" in line or "error" in line][-20:]
        return measured
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=64, help="change requests per run (each level and in-process)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are reported")
    parser.add_argument("--max-seconds", type=float, default=60, help="clients start no new case after this")
    parser.add_argument("--profile-cases", type=int, default=16, help="change requests in the phase-by-phase replay")
    parser.add_argument("--pings", type=int, default=1000, help="GET /healthz requests for the framework floor")
    parser.add_argument("--opposite-moves", action="store_true", help="cases in one run move money both ways")
    args = parser.parse_args(argv)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = {"cases_per_run": args.cases, "requests_per_run": args.cases * len(STEPS), "rounds": args.rounds,
              "levels": list(LEVELS), "steps": [f"{s.actor}:{s.action}" for s in STEPS], "postgresql": DURABILITY,
              "targets": {"ratio_at_4_clients": TARGET_RATIO, "p99_ms": TARGET_P99_MS},
              "opposite_moves": args.opposite_moves, "amount_dkk": AMOUNT_DKK}  # fmt: skip
    http_report.header(config)
    load_before = os.getloadavg()[0]
    measured = run(args)
    load = {"cpus": os.cpu_count(), "load_1min_before": load_before, "load_1min_after": os.getloadavg()[0]}
    outcome = {"generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "config": config, "source": source(),
               "machine": load, **measured}  # fmt: skip
    http_report.table(outcome)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(outcome, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


if __name__ == "__main__":
    started = perf_counter()
    main()
    print(f"({perf_counter() - started:.0f} s in all)")
