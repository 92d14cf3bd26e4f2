"""Where apply_action's time goes: SQL statements per transition (counted by an event listener) and cProfile."""

import cProfile
import pstats
from collections import Counter
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.workload import Job, World, run_apply

ROOT = str(Path(__file__).resolve().parent.parent) + "/"

# Buckets for self time, by the file a function lives in (first match wins).
BUCKETS = (
    ("database driver", ("sqlite3", "psycopg")),
    ("SQLAlchemy / SQLModel", ("sqlalchemy", "sqlmodel")),
    ("pydantic", ("pydantic",)),
    ("service/", (ROOT + "service/",)),
    ("workflows/", (ROOT + "workflows/",)),
)


class StatementCounter:
    """Counts statements (by verb) and pool checkouts per action while attached to an engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.label = engine, ["?"]
        self.statements: Counter[tuple[str, str]] = Counter()
        self.checkouts: Counter[str] = Counter()
        self.execute_seconds, self._started = 0.0, 0.0

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements[(self.label[0], statement.lstrip().split(None, 1)[0].upper())] += 1
        self._started = perf_counter()

    def _executed(self, *_args: Any) -> None:
        self.execute_seconds += perf_counter() - self._started

    def _checkout(self, *_args: Any) -> None:
        self.checkouts[self.label[0]] += 1

    def __enter__(self) -> "StatementCounter":
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "after_cursor_execute", self._executed)
        event.listen(self.engine, "checkout", self._checkout)
        return self

    def __exit__(self, *_exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "after_cursor_execute", self._executed)
        event.remove(self.engine, "checkout", self._checkout)

    def summary(self, jobs: list[Job], seconds: float) -> dict[str, Any]:
        per_action = Counter(job.step.action for job in jobs)
        by_action: Counter[str] = Counter()
        by_verb: Counter[str] = Counter()
        for (action, verb), n in self.statements.items():
            by_action[action] += n
            by_verb[verb] += n
        return {
            "statements_per_transition": round(sum(by_action.values()) / len(jobs), 2),
            "by_verb_per_transition": {verb: round(n / len(jobs), 2) for verb, n in by_verb.most_common()},
            "by_action": {action: round(by_action[action] / n, 2) for action, n in per_action.items()},
            "pool_checkouts_per_transition": round(sum(self.checkouts.values()) / len(jobs), 2),
            "pool_pre_ping": bool(getattr(self.engine.pool, "_pre_ping", False)),
            "ms_per_transition": round(seconds * 1000 / len(jobs), 3),
            "ms_in_cursor_execute_per_transition": round(self.execute_seconds * 1000 / len(jobs), 3),
        }


def _bucket(filename: str) -> str:
    return next((name for name, keys in BUCKETS if any(key in filename for key in keys)), "other Python")


def _where(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    short = filename.split("/site-packages/")[-1].removeprefix(ROOT)
    return f"{short}:{line}({name})"


def hotspots(stats: pstats.Stats, transitions: int, top: int) -> dict[str, Any]:
    """Self time by bucket, the slowest project functions (cumulative) and the top self-time functions, in ms."""
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _cc, _nc, tt, _ct, _callers in entries.values())
    buckets: Counter[str] = Counter()
    for func, (_cc, _nc, tt, _ct, _callers) in entries.items():
        buckets[_bucket(func[0] if func[0] != "~" else func[2])] += tt
    ms = 1000 / transitions
    project = [(ct, func) for func, (_cc, _nc, _tt, ct, _c) in entries.items() if func[0].startswith(ROOT + "service/")]
    own = sorted(((tt, func) for func, (_cc, _nc, tt, _ct, _c) in entries.items()), reverse=True)
    return {
        "profiled_ms_per_transition": round(total * ms, 3),
        "self_time_share": {name: round(t / total, 3) for name, t in buckets.most_common()},
        "service_cumulative_ms": [(_where(f), round(ct * ms, 3)) for ct, f in sorted(project, reverse=True)[:top]],
        "self_time_ms": [(_where(f), round(tt * ms, 3)) for tt, f in own[:top]],
    }


def profile_apply(world: World, counted: list[Job], profiled: list[Job], top: int = 12) -> dict[str, Any]:
    """Count statements and time spent in cursor.execute on one set of jobs, then run cProfile on another."""
    with StatementCounter(world.engine) as counter:
        seconds = run_apply(world, counted, counter.label).seconds
    profiler = cProfile.Profile()
    profiler.enable()
    run_apply(world, profiled)
    profiler.disable()
    return {**counter.summary(counted, seconds), **hotspots(pstats.Stats(profiler), len(profiled), top)}
