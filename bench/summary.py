"""The one table `make bench` ends with: the engine against the raw-driver floor and HTTP against the HTTP floor."""

from typing import Any

from bench.http import TARGET_P99_MS

NAMES = {"sqlite": "engine, SQLite (WAL)", "postgresql": "engine, PostgreSQL"}


def table(engine: dict[str, Any], http: dict[str, Any]) -> None:
    """Floors, rates, ratios, p50/p99 (the floor's in brackets) and SQL statements per action, with the verdicts."""
    print(f"\n{'=' * 131}\nSummary ({engine['generated_at']} and {http['generated_at']}, ratios measured in the same run)")
    print(
        f"{'path':<27} {'clients':>7} {'floor/s':>8} {'rate/s':>7} {'ratio':>6} {'target':>13}  "
        f"{'p50 / p99 ms (floor)':<27} {'stmts':>5} {'checkouts':>9}  result"
    )
    for r in engine["results"]:
        p = engine["profile"][r["backend"]]
        own, floor = r["apply_latency"], r["floor_latency"]
        print(
            f"{NAMES[r['backend']]:<27} {1:>7} {r['floor_tps']:>8.0f} {r['apply_action_tps']:>7.0f} {r['ratio']:>5.2f}x "
            f"{'≥' + format(r['target'], '.2f') + 'x':>13}  {_latency(own, floor):<27} "
            f"{p['statements_per_transition']:>5.1f} {p['pool_checkouts_per_transition']:>9.1f}  "
            f"{'met' if r['pass'] else 'NOT met'}"
        )
    path = http["request_path"]
    name = f"HTTP, PostgreSQL, {http['config']['workers']} proc."
    for r in http["results"]:
        target = "≥0.50x" if r["ratio_pass"] is not None else ""
        limit = TARGET_P99_MS.get(r["clients"])
        target += f" p99<{limit:.0f}" if limit else ""
        print(
            f"{name:<27} {r['clients']:>7} {r['floor_rps']:>8.0f} {r['rps']:>7.0f} {r['ratio']:>5.2f}x {target:>13}  "
            f"{_latency(r['latency'], r['floor_latency']):<27} {path['statements_per_request']:>5.1f} "
            f"{path['pool_checkouts_per_request']:>9.1f}  {_verdict(r)}"
        )
    for outcome in (engine, http):
        m = outcome["machine"]
        print(f"  load while measuring: {m['load_1min_before']:.1f} -> {m['load_1min_after']:.1f} on {m['cpus']} CPUs")
    print("  stmts and checkouts: per action in-process on the same database (HTTP: the whole request, user and actor too)")


def _latency(own: dict[str, float], floor: dict[str, float]) -> str:
    return f"{own['p50_ms']:.1f} / {own['p99_ms']:.1f} ({floor['p50_ms']:.1f} / {floor['p99_ms']:.1f})"


def _verdict(row: dict[str, Any]) -> str:
    if row["errors"]:
        return f"{len(row['errors'])} errors"
    checks = [("ratio", row["ratio_pass"]), ("p99", row["p99_pass"])]
    said = [f"{name} {'met' if ok else 'NOT met'}" for name, ok in checks if ok is not None]
    return ", ".join(said)
