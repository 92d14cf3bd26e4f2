"""The raw-SQL floor: per transition one UPDATE with version check, one INSERT of the event and a COMMIT.

Plain DB-API drivers (sqlite3 with the service's pragmas, psycopg 3), parameters built before the clock starts.
"""

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from time import perf_counter
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import Engine, make_url

from bench.workload import Job, Step, Timed
from service.authz import Actor
from service.cases.lifecycle import validate
from service.persistence.case_tables import Case, CaseEvent
from workflows.registry import WORKFLOWS

COLUMNS = "case_id, seq, at, actor_id, acting_for_id, action, from_state, to_state, comment, data, idempotency_key"


@dataclass(frozen=True)
class Driver:
    connect: Callable[[str], Any]
    mark: str  # the driver's parameter placeholder
    json: Callable[[dict[str, Any]], Any]
    stamp: Callable[[datetime], Any]


def _sqlite(url: str) -> sqlite3.Connection:
    """Same pragmas as service/persistence/db.py: WAL, foreign keys, synchronous=NORMAL (and its busy timeout)."""
    connection = sqlite3.connect(make_url(url).database or "", timeout=30)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def _postgres(url: str) -> psycopg.Connection:
    return psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))


DRIVERS = {
    "sqlite": Driver(_sqlite, "?", json.dumps, lambda at: at.isoformat(sep=" ")),
    "postgresql": Driver(_postgres, "%s", Jsonb, lambda at: at),
}


def stored_data(step: Step) -> dict[str, Any]:
    """The action data apply_action stores on the event: validated against the action's schema."""
    spec = WORKFLOWS["change_request"].action(step.action)
    assert spec is not None
    return validate(spec.requires, step.data)


def run_floor(backend: str, url: str, actors: dict[str, Actor], jobs: list[Job]) -> Timed:
    """One transaction per job on one connection; raises if a version check fails."""
    driver = DRIVERS[backend]
    marks = ", ".join([driver.mark] * 11)
    change = f"UPDATE cases SET state={driver.mark}, version=version+1 WHERE id={driver.mark} AND version={driver.mark}"
    add_event = f"INSERT INTO case_events ({COLUMNS}) VALUES ({marks})"
    rows = [
        (job.step.to_state, job.case_id, job.version, actors[job.step.actor], driver.json(stored_data(job.step)), job)
        for job in jobs
    ]
    connection = driver.connect(url)
    try:
        timed, start = Timed(), perf_counter()
        for to_state, case_id, version, actor, data, job in rows:
            began = perf_counter()
            if connection.execute(change, (to_state, case_id, version)).rowcount != 1:
                raise RuntimeError(f"version check failed on case {case_id}")
            at = driver.stamp(datetime.now(UTC))
            event = (case_id, version + 1, at, actor.user_id, actor.organisation_id, job.step.action, job.from_state)
            connection.execute(add_event, (*event, to_state, "", data, None))
            connection.commit()
            timed.ms.append((perf_counter() - began) * 1000)
        timed.seconds = perf_counter() - start
        return timed
    finally:
        connection.close()


def run_core(engine: Engine, actors: dict[str, Actor], jobs: list[Job]) -> float:
    """The same two statements through SQLAlchemy Core on the service's engine (pool, pre-ping), built once.

    Not the target's floor: it shows the best any apply_action built on SQLAlchemy could reach.
    """
    cases_, events = Case.__table__, CaseEvent.__table__  # type: ignore[attr-defined]
    change = (
        update(cases_)
        .where(cases_.c.id == bindparam("case_id"), cases_.c.version == bindparam("version"))
        .values(state=bindparam("to_state"), version=cases_.c.version + 1)
    )
    add_event = insert(events)
    rows = [
        (
            {"case_id": job.case_id, "version": job.version, "to_state": job.step.to_state},
            {
                "case_id": job.case_id,
                "seq": job.version + 1,
                "actor_id": actors[job.step.actor].user_id,
                "acting_for_id": actors[job.step.actor].organisation_id,
                "action": job.step.action,
                "from_state": job.from_state,
                "to_state": job.step.to_state,
                "comment": "",
                "data": stored_data(job.step),
                "idempotency_key": None,
            },
        )
        for job in jobs
    ]
    start = perf_counter()
    for key, event in rows:
        with engine.begin() as connection:
            if connection.execute(change, key).rowcount != 1:
                raise RuntimeError(f"version check failed on case {key['case_id']}")
            connection.execute(add_event, {**event, "at": datetime.now(UTC)})
    return perf_counter() - start
