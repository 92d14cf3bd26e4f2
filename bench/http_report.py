"""Printing the HTTP benchmark's setup, progress, result table and where a request's time goes."""

from typing import Any

SERVER = "boligsocial serve --no-worker: ONE uvicorn process (asyncio loop, h11; sync endpoints in its thread pool)"


def header(config: dict[str, Any]) -> None:
    pg = ", ".join(f"{key}={value}" for key, value in config["postgresql"].items())
    levels = ", ".join(map(str, config["levels"]))
    print("HTTP throughput of POST /api/v1/cases/{id}/actions/{action} vs in-process apply_action, same database")
    print(f"  workload : {config['cases_per_run']} change requests x {len(config['steps'])} steps = "
          f"{config['requests_per_run']} requests per run; runs: in-process and {levels} clients; "
          f"{config['rounds']} rounds, order alternating")  # fmt: skip
    print(f"  steps    : {' -> '.join(config['steps'])}")
    print(f"  server   : {SERVER}; serve has no --workers, so one process is measured")
    print("  clients  : threads in this process, one keep-alive http.client connection each, each owning its cases;")
    print("             tokens from one login per persona before timing (no Argon2 in the loop)")
    print(f"  PostgreSQL 15 on loopback with normal durability ({pg}): every COMMIT waits for its WAL flush")
    targets = config["targets"]
    print(f"  targets  : >= {targets['ratio_at_4_clients']}x the in-process rate at 4 clients; p99 < "
          f"{targets['p99_ms']:.0f} ms\n")  # fmt: skip


def progress(number: int, result: dict[str, Any]) -> None:
    levels = "  ".join(
        f"{level} cl {row['rps']:6.1f}/s p99 {row['p99_ms']:5.1f} ms" for level, row in sorted(result["levels"].items())
    )
    print(f"  round {number}: in-process {result['in_process']['tps']:6.1f}/s  {levels}", flush=True)


def table(outcome: dict[str, Any]) -> None:
    inproc = outcome["in_process"]
    cpu = f"CPU per transition: {inproc['cpu_ms_bench']:.2f} ms Python, {inproc['cpu_ms_postgresql']:.2f} ms PostgreSQL"
    print(f"\nIn-process apply_action, one thread: {inproc['tps']:.1f} transitions/s ({cpu})\n")
    print(f"{'clients':>7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>7}  {'result':<27}"
          f"{'server cores':>13} {'CPU ms/request: server':>23} {'postgres':>9} {'clients':>8}")  # fmt: skip
    for r in outcome["results"]:
        print(f"{r['clients']:>7} {r['rps']:>8.1f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
              f"{r['ratio']:>6.3f}x  {verdict(r):<27}{r['server_cores']:>13.2f} {r['cpu_ms_server']:>23.2f} "
              f"{r['cpu_ms_postgresql']:>9.2f} {r['cpu_ms_bench']:>8.2f}")  # fmt: skip
        for error in r["errors"][:3]:
            print(f"        error: {error}")
    m = outcome["machine"]
    print(f"(req/s and ratio: medians over the rounds, ratio per round to that round's in-process rate; p50/p99 over "
          f"every request of every round; {m['cpus']} CPUs, 1-min load {m['load_1min_before']:.1f} before and "
          f"{m['load_1min_after']:.1f} after)")  # fmt: skip
    print(f"GET /healthz from one client (uvicorn + FastAPI + client, no database): "
          f"{outcome['healthz_rps_one_client']:.0f} requests/s")  # fmt: skip
    actions(outcome["results"])
    request_path(outcome["request_path"])
    server_errors(outcome)


def verdict(row: dict[str, Any]) -> str:
    p99 = "p99 ok" if row["p99_pass"] else "p99 FAIL"
    if row["errors"]:
        return f"FAIL ({len(row['errors'])} errors)"
    if row["ratio_pass"] is None:
        return p99
    return f"{'PASS' if row['pass'] else 'FAIL'} (ratio {'ok' if row['ratio_pass'] else 'FAIL'}, {p99})"


def actions(results: list[dict[str, Any]]) -> None:
    print("p50/p99 ms by action:")
    for r in results:
        each = "  ".join(f"{action} {t['p50_ms']:.0f}/{t['p99_ms']:.0f}" for action, t in r["by_action"].items())
        print(f"  {r['clients']:>2} clients: {each}")


def request_path(path: dict[str, Any]) -> None:
    print(f"\nOne request's work replayed in-process ({path['requests']} requests, no HTTP): "
          f"{path['ms_per_request']:.2f} ms ({path['cpu_ms_per_request']:.2f} ms CPU in Python), "
          f"{path['statements_per_request']:.1f} SQL statements, "
          f"{path['pool_checkouts_per_request']:.1f} pool checkouts (each a pre-ping round trip) per request")  # fmt: skip
    print(f"  {'phase':<16} {'ms':>7} {'statements':>11} {'checkouts':>10}")
    for p in path["phases"]:
        print(f"  {p['phase']:<16} {p['ms']:>7.3f} {p['statements']:>11.2f} {p['pool_checkouts']:>10.2f}")
    print(f"  one thread doing just this, without HTTP, would reach {1000 / path['ms_per_request']:.0f} requests/s")


def server_errors(outcome: dict[str, Any]) -> None:
    for line in outcome.get("server_log_errors", []):
        print(f"  server log: {line}")
