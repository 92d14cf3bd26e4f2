"""Printing the benchmark's setup, progress, result table and profile."""

from typing import Any


def header(config: dict[str, Any]) -> None:
    pg = ", ".join(f"{key}={value}" for key, value in config["postgresql"].items())
    transitions = config["cases_per_round"] * config["transitions_per_case"]
    print("Transitions through apply_action (history, deadlines, outbox, effects) vs the raw-SQL floor")
    print(
        f"  workload : {config['cases_per_round']} change requests x {config['transitions_per_case']} steps = "
        f"{transitions} transitions per round and backend, {config['rounds']} interleaved rounds"
    )
    print(f"  steps    : {' -> '.join(config['steps'])}")
    print("  floor    : per transition UPDATE cases (version check) + INSERT case_events + COMMIT, raw DB-API driver,")
    print("             same schema and seed in a separate fresh database")
    print(f"  PostgreSQL 15 with normal durability ({pg}; NOT fsync=off): every COMMIT waits for its WAL flush")
    print("  SQLite file, WAL, synchronous=NORMAL, foreign_keys=ON (as service/persistence/db.py)\n")


def progress(backend: str, number: int, rates: dict[str, float]) -> None:
    print(
        f"  round {number} {backend:<10} floor {rates['floor']:9.1f}/s  apply_action {rates['apply']:8.1f}/s  "
        f"ratio {rates['ratio']:.3f}  (Core two statements {rates['core']:7.1f}/s)",
        flush=True,
    )


def table(outcome: dict[str, Any]) -> None:
    print(f"\n{'backend':<11} {'floor tx/s':>11} {'apply_action tx/s':>18} {'ratio':>7} {'target':>7}  result")
    for r in outcome["results"]:
        verdict = "PASS" if r["pass"] else "FAIL"
        print(
            f"{r['backend']:<11} {r['floor_tps']:>11.1f} {r['apply_action_tps']:>18.1f} {r['ratio']:>6.3f}x "
            f"{r['target']:>6.2f}x  {verdict}"
        )
    m = outcome["machine"]
    print(
        f"(medians over the rounds; ratio is the median of the per-round ratios; {m['cpus']} CPUs, "
        f"1-min load {m['load_1min_before']:.1f} before and {m['load_1min_after']:.1f} after the run)"
    )
    core = ", ".join(
        f"{r['backend']} {r['core_two_statements_tps']:.1f}/s ({r['core_two_statements_tps'] / r['floor_tps']:.2f}x floor)"
        for r in outcome["results"]
    )
    print("Same two statements + COMMIT through SQLAlchemy Core on the service's engine, statements built once")
    print(f"(the best any SQLAlchemy-based apply_action could do): {core}")
    for backend, p in outcome["profile"].items():
        profile(backend, p)


def profile(backend: str, p: dict[str, Any]) -> None:
    verbs = ", ".join(f"{n} {verb}" for verb, n in p["by_verb_per_transition"].items())
    actions = ", ".join(f"{action} {n:g}" for action, n in p["by_action"].items())
    ping = " (each pinging the server first: pool_pre_ping)" if p["pool_pre_ping"] else ""
    print(
        f"\n== {backend}: {p['statements_per_transition']} SQL statements per transition ({verbs}); "
        f"{p['pool_checkouts_per_transition']} pool checkouts per transition{ping}"
    )
    print(f"   by action: {actions}")
    in_sql = p["ms_in_cursor_execute_per_transition"]
    print(
        f"   unprofiled {p['ms_per_transition']} ms per transition, of which {in_sql} ms inside cursor.execute "
        "(driver and server, BEGIN included; COMMIT and pool pings not)"
    )
    shares = ", ".join(f"{name} {share:.0%}" for name, share in p["self_time_share"].items())
    print(f"   profiled {p['profiled_ms_per_transition']} ms per transition; self time: {shares}")
    print("   service/ functions by cumulative ms per transition:")
    for where, ms in p["service_cumulative_ms"]:
        print(f"     {ms:8.3f}  {where}")
    print("   functions by self ms per transition:")
    for where, ms in p["self_time_ms"]:
        print(f"     {ms:8.3f}  {where}")
