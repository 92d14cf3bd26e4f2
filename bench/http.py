"""HTTP throughput of `POST /api/v1/cases/{id}/actions/{action}` against an HTTP floor, with 1, 4 and 16 clients.

`make bench` runs it after bench.transitions; `.venv/bin/python -m bench.http --help` lists the knobs. It starts a
throwaway PostgreSQL 15 (normal durability: fsync and synchronous_commit on), migrates and seeds it, and starts
two servers with the same number of uvicorn processes (`--workers`) on free loopback ports: the real one
(`boligsocial serve --no-worker --workers N`) and the HTTP floor (bench/http_floor.py, served the same way: one
FastAPI endpoint doing only the versioned UPDATE + event INSERT + COMMIT through psycopg). It logs the personas
in once and opens every change request beforehand (untimed). Each round runs, at each number of clients, the
same STEPS against the floor and against the product, on fresh cases, every client driving its own cases so no
two requests race for a version; the order alternates from round to round. Reports the median rate and ratio
over the rounds and latency percentiles over all of them, replays a request's work in-process to count its
statements and pool checkouts, writes bench/results/http.json, and stops the servers and PostgreSQL.
"""

import argparse
import json
import logging
import os
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlmodel import Session

from bench import http_report
from bench.client import Request, Run, action, login, ping, run_clients
from bench.floor import stored_data
from bench.pg import DURABILITY, postgres
from bench.request_path import replay
from bench.server import postgres_cpu_seconds, serve, tree_cpu_seconds
from bench.transitions import latency, source
from bench.workload import OPENER, STEPS, World, _change_request, prepare_database
from service import cases
from workflows.registry import WORKFLOWS

LEVELS = (1, 4, 16)
KINDS = ("floor", "action")
TARGET_RATIO, TARGET_AT = 0.5, 4
TARGET_P99_MS = {4: 25.0, 16: 100.0}
# Every case moves DKK 1,000 within UB between 2017 and 2016 (LBF); all cases of one run move the same way, the next
# run's the other way. Opposite moves in flight together deadlock in PostgreSQL unless budget lines are locked in
# one order (service/cases/budget.py does); --opposite-moves alternates per case to show that it holds.
AMOUNT_DKK = 1_000
RESULTS = Path(__file__).parent / "results" / "http.json"


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    pid: int


@dataclass(frozen=True)
class Bench:
    world: World
    servers: dict[str, Server]  # "floor" and "action"
    tokens: dict[str, str]
    pg_data: Path
    opposite_moves: bool


def open_owned(bench: Bench, n: int, way: int) -> list[int]:
    """Open n change requests on the plan in-process (setup, never timed), moving money one `way` (0 or 1)."""
    world, ids = bench.world, []
    with Session(world.engine) as session:
        for i in range(n):
            data = _change_request(i if bench.opposite_moves else way)
            data["budget_moves"][0]["amount_dkk"] = AMOUNT_DKK
            case = cases.open_case(
                session=session,
                actor=world.actors[OPENER],
                case_type="change_request",
                plan_id=world.plan_id,
                title=f"HTTP benchmark {i}",
                data=data,
                now=world.clock.now(),
            )
            assert case.id is not None
            ids.append(case.id)
    return ids


def floor_request(world: World) -> Request:
    """The floor's request for STEPS[k]: what the product would write, known beforehand."""
    states = [WORKFLOWS["change_request"].initial, *(step.to_state for step in STEPS)]
    bodies = [
        {
            "from_state": states[k],
            "to_state": step.to_state,
            "actor_id": world.actors[step.actor].user_id,
            "acting_for_id": world.actors[step.actor].organisation_id,
            "data": stored_data(step),
        }
        for k, step in enumerate(STEPS)
    ]

    def request(case_id: int, k: int, version: int) -> tuple[str, dict[str, Any]]:
        return f"/floor/cases/{case_id}/actions/{STEPS[k].action}", {**bodies[k], "expected_version": version}

    return request


def over_http(bench: Bench, kind: str, case_ids: list[int], clients: int, max_seconds: float) -> tuple[dict[str, Any], Run]:
    """Split the cases among the clients (each owns its share), time them all, and the CPU the servers used."""
    server = bench.servers[kind]
    request = floor_request(bench.world) if kind == "floor" else action
    shares = [case_ids[i::clients] for i in range(clients)]
    before = tree_cpu_seconds(server.pid), postgres_cpu_seconds(bench.pg_data)
    run = run_clients(server.host, server.port, bench.tokens, shares, max_seconds, request)
    used = tree_cpu_seconds(server.pid) - before[0], postgres_cpu_seconds(bench.pg_data) - before[1]
    n = max(1, len(run.samples))
    row = {
        "rps": len(run.samples) / run.seconds,
        "errors": run.errors,
        "cpu_ms_server": 1000 * used[0] / n,
        "cpu_ms_postgresql": 1000 * used[1] / n,
        "server_cores": used[0] / run.seconds,
    }
    return row, run


def one_round(bench: Bench, args: argparse.Namespace, forward: bool) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """Each level once with the floor and the product, in this order or its reverse, each on fresh cases."""
    runs = [(level, kind) for level in LEVELS for kind in KINDS]
    runs = runs if forward else runs[::-1]
    owned = {run: open_owned(bench, args.cases, way % 2) for way, run in enumerate(runs)}
    result: dict[str, Any] = {}
    samples: dict[str, list[float]] = {}
    for level, kind in runs:
        row, run = over_http(bench, kind, owned[(level, kind)], level, args.max_seconds)
        result[f"{kind}@{level}"] = row
        samples[f"{kind}@{level}"] = [ms for _action, ms in run.samples]
    for level in LEVELS:
        result[f"ratio@{level}"] = result[f"action@{level}"]["rps"] / result[f"floor@{level}"]["rps"]
    return result, samples


def summarise(level: int, rounds: list[dict[str, Any]], samples: dict[str, list[float]]) -> dict[str, Any]:
    """One level over the rounds: median rates, ratio and CPU; percentiles over every request of every round."""

    def median(kind: str, key: str) -> float:
        return round(statistics.median(r[f"{kind}@{level}"][key] for r in rounds), 3)

    row: dict[str, Any] = {
        "clients": level,
        "floor_rps": median("floor", "rps"),
        "rps": median("action", "rps"),
        "ratio": round(statistics.median(r[f"ratio@{level}"] for r in rounds), 3),
        "floor_latency": latency(samples[f"floor@{level}"]),
        "latency": latency(samples[f"action@{level}"]),
        "cpu_ms_server": median("action", "cpu_ms_server"),
        "cpu_ms_server_floor": median("floor", "cpu_ms_server"),
        "cpu_ms_postgresql": median("action", "cpu_ms_postgresql"),
        "server_cores": median("action", "server_cores"),
        "errors": [error for r in rounds for kind in KINDS for error in r[f"{kind}@{level}"]["errors"]],
    }
    limit = TARGET_P99_MS.get(level)
    row["p99_pass"] = None if limit is None else row["latency"]["p99_ms"] < limit
    row["ratio_pass"] = row["ratio"] >= TARGET_RATIO if level == TARGET_AT else None
    row["pass"] = row["p99_pass"] is not False and row["ratio_pass"] is not False and not row["errors"]
    return row


def measure(bench: Bench, args: argparse.Namespace) -> dict[str, Any]:
    for kind in KINDS:  # warm-up, not reported: pools, statement caches, threads, backends
        over_http(bench, kind, open_owned(bench, max(LEVELS), 1), max(LEVELS), args.max_seconds)
    rounds: list[dict[str, Any]] = []
    samples: dict[str, list[float]] = {}
    for i in range(args.rounds):
        result, seen = one_round(bench, args, forward=i % 2 == 0)
        rounds.append(result)
        for key, values in seen.items():
            samples.setdefault(key, []).extend(values)
        http_report.progress(i + 1, result, LEVELS)
    product = bench.servers["action"]
    return {
        "results": [summarise(level, rounds, samples) for level in LEVELS],
        "healthz_rps_one_client": round(ping(product.host, product.port, args.pings), 1),
        "request_path": replay(bench.world, open_owned(bench, args.profile_cases, 0)),
        "rounds": [_rounded(r) for r in rounds],
    }


def _rounded(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _rounded(v) for k, v in value.items()}
    return round(value, 3) if isinstance(value, float) else value


@contextmanager
def servers(url: str, work: Path, workers: int) -> Iterator[dict[str, Server]]:
    """The product and the floor, each with `workers` processes."""
    with ExitStack() as stack:
        started = {kind: Server(*stack.enter_context(serve(url, work, workers, floor=kind == "floor"))) for kind in KINDS}
        yield started


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="boligsocial-bench-http."))
    try:
        with postgres(work, ("bench_http",)) as pg:
            world = prepare_database(pg["bench_http"])  # migrate + seed-demo, in-process
            try:
                with servers(pg["bench_http"], work, args.workers) as started:
                    product = started["action"]
                    tokens = login(product.host, product.port, set(world.actors))
                    bench = Bench(world, started, tokens, work / "pg", args.opposite_moves)
                    measured = measure(bench, args)
            finally:
                world.engine.dispose()
        if any(row["errors"] for row in measured["results"]):
            log = (work / "server.log").read_text().splitlines()
            measured["server_log_errors"] = [line for line in log if "Error" in line or "error" in line][-20:]
        return measured
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure, print the report, write bench/results/http.json and return what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes of each server (one per core here)")
    parser.add_argument("--cases", type=int, default=32, help="change requests per run (each level and server)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are reported")
    parser.add_argument("--max-seconds", type=float, default=30, help="clients start no new case after this")
    parser.add_argument("--profile-cases", type=int, default=8, help="change requests in the in-process replay")
    parser.add_argument("--pings", type=int, default=500, help="GET /healthz requests for the framework floor")
    parser.add_argument("--opposite-moves", action="store_true", help="cases in one run move money both ways")
    args = parser.parse_args(argv)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = {
        "workers": args.workers,
        "cases_per_run": args.cases,
        "requests_per_run": args.cases * len(STEPS),
        "rounds": args.rounds,
        "levels": list(LEVELS),
        "steps": [f"{s.actor}:{s.action}" for s in STEPS],
        "postgresql": DURABILITY,
        "targets": {"ratio_at_4_clients": TARGET_RATIO, "p99_ms": TARGET_P99_MS},
        "opposite_moves": args.opposite_moves,
        "amount_dkk": AMOUNT_DKK,
    }
    http_report.header(config)
    load_before = os.getloadavg()[0]
    measured = run(args)
    load = {"cpus": os.cpu_count(), "load_1min_before": load_before, "load_1min_after": os.getloadavg()[0]}
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    outcome = {"generated_at": generated, "config": config, "source": source(), "machine": load, **measured}
    http_report.table(outcome)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(outcome, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")
    return outcome


if __name__ == "__main__":
    started = perf_counter()
    main()
    print(f"({perf_counter() - started:.0f} s in all)")
