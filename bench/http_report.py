"""Printing the HTTP benchmark's setup, progress, result table and where a request's time goes."""

from typing import Any


def header(config: dict[str, Any]) -> None:
    pg = ", ".join(f"{key}={value}" for key, value in config["postgresql"].items())
    levels = ", ".join(map(str, config["levels"]))
    print("HTTP: POST /api/v1/cases/{id}/actions/{action} vs the HTTP floor (UPDATE + INSERT + COMMIT), same run")
    print(
        f"  workload : {config['cases_per_run']} change requests x {len(config['steps'])} steps = "
        f"{config['requests_per_run']} requests per run; {levels} clients; {config['rounds']} rounds, order alternating"
    )
    print(f"  steps    : {' -> '.join(config['steps'])}")
    workers = config["workers"]
    print(f"  servers  : `boligsocial serve --no-worker --workers {workers}` and bench/http_floor.py with {workers} too")
    print("  clients  : threads in this process, one keep-alive http.client connection each, each owning its cases;")
    print("             tokens from one login per persona before timing (no Argon2 in the loop)")
    print(f"  PostgreSQL 15 on loopback with normal durability ({pg}): every COMMIT waits for its WAL flush\n")


def progress(number: int, result: dict[str, Any], levels: tuple[int, ...]) -> None:
    each = "  ".join(
        f"{level} cl floor {result[f'floor@{level}']['rps']:6.1f}/s action {result[f'action@{level}']['rps']:6.1f}/s "
        f"({result[f'ratio@{level}']:.2f}x)"
        for level in levels
    )
    print(f"  round {number}: {each}", flush=True)


def table(outcome: dict[str, Any]) -> None:
    print(
        f"\n{'clients':>7} {'floor/s':>8} {'floor p50/p99':>14} {'action/s':>9} {'p50/p99 ms':>12} {'ratio':>6} "
        f"{'CPU ms/req server (floor)':>26} {'PG':>5}  result"
    )
    for r in outcome["results"]:
        floor, own = r["floor_latency"], r["latency"]
        print(
            f"{r['clients']:>7} {r['floor_rps']:>8.1f} {floor['p50_ms']:>6.1f}/{floor['p99_ms']:<7.1f} {r['rps']:>9.1f} "
            f"{own['p50_ms']:>5.1f}/{own['p99_ms']:<6.1f} {r['ratio']:>5.2f}x {r['cpu_ms_server']:>17.2f} "
            f"({r['cpu_ms_server_floor']:.2f}) {r['cpu_ms_postgresql']:>5.2f}  {verdict(r)}"
        )
        for error in r["errors"][:3]:
            print(f"        error: {error}")
    m = outcome["machine"]
    print(
        f"(rates and ratio: medians over the rounds, ratio per round; p50/p99 over every request of every round; "
        f"{m['cpus']} CPUs, 1-min load {m['load_1min_before']:.1f} before and {m['load_1min_after']:.1f} after)"
    )
    print(f"GET /healthz from one client (no database): {outcome['healthz_rps_one_client']:.0f} requests/s")
    request_path(outcome["request_path"])
    for line in outcome.get("server_log_errors", []):
        print(f"  server log: {line}")


def verdict(row: dict[str, Any]) -> str:
    if row["errors"]:
        return f"FAIL ({len(row['errors'])} errors)"
    parts = []
    if row["ratio_pass"] is not None:
        parts.append(f"ratio {'ok' if row['ratio_pass'] else 'FAIL'}")
    if row["p99_pass"] is not None:
        parts.append(f"p99 {'ok' if row['p99_pass'] else 'FAIL'}")
    return ", ".join(parts)


def request_path(path: dict[str, Any]) -> None:
    print(
        f"\nOne request's work replayed in-process ({path['requests']} requests, no HTTP): "
        f"{path['ms_per_request']:.2f} ms ({path['cpu_ms_per_request']:.2f} ms CPU in Python), "
        f"{path['statements_per_request']:.1f} SQL statements, {path['pool_checkouts_per_request']:.1f} pool checkouts"
    )
    print(f"  {'phase':<24} {'ms':>7} {'statements':>11} {'checkouts':>10}")
    for p in path["phases"]:
        print(f"  {p['phase']:<24} {p['ms']:>7.3f} {p['statements']:>11.2f} {p['pool_checkouts']:>10.2f}")
