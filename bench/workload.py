"""The measured work: change requests on plan HP-10 moved from draft to closed, through apply_action or raw SQL.

Both runners do the same transactions in the same order: for each step of the workflow, that step on every case
(stage by stage, so each action is spread over the whole run).
"""

from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from service import cases
from service.authz import Actor, load_actor
from service.clock import Clock
from service.config import Settings
from service.demo.seed import seed_demo
from service.persistence import migrate
from service.persistence.case_tables import Case
from service.persistence.db import demo_clock, make_engine
from service.persistence.tables import Plan, User
from workflows.registry import WORKFLOWS


@dataclass(frozen=True)
class Step:
    actor: str
    action: str
    data: dict[str, Any] | None
    to_state: str


# draft -> closed for a change request decided by FSB and AAB without LBF (as in the demo register's closed case).
STEPS = (
    Step("sara.norgaard", "submit", None, "submitted"),
    Step("jakob.vinther", "start_screening", None, "screening"),
    Step("sara.bech", "mark_ready", {}, "ready_for_decision"),
    Step("sara.bech", "schedule", {"written_procedure": True}, "scheduled"),
    Step("eva.holm", "vote", {"organisation": "FSB", "vote": "approve"}, "scheduled"),
    Step("bo.iversen", "vote", {"organisation": "AAB", "vote": "approve"}, "scheduled"),
    Step("sara.bech", "approve", None, "approved"),
    Step("sara.bech", "implement", None, "implemented"),
    Step("sara.bech", "close", None, "closed"),
)
OPENER = "sara.norgaard"
PLAN = "HP-10"


@dataclass(frozen=True)
class Job:
    """One transition: the case, its version before it, the state it leaves and the step."""

    case_id: int
    version: int
    from_state: str
    step: Step


@dataclass(frozen=True)
class World:
    """A migrated, seeded database: its engine, the actors of STEPS (loaded once), the plan and the demo's clock."""

    url: str
    engine: Engine
    actors: dict[str, Actor]
    plan_id: int
    clock: Clock  # the demo register lives in 2016: actions are taken at its business time, as the server does


def prepare_database(url: str) -> World:
    """Migrate and seed a fresh database."""
    engine = make_engine(Settings(database_url=url, _env_file=None))
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session)
        clock = demo_clock(session)
        names = {OPENER, *(step.actor for step in STEPS)}
        users = session.exec(select(User).where(col(User.username).in_(names))).all()
        actors = {user.username: load_actor(session, user, clock.today()) for user in users}
        plan_id = session.exec(select(Plan.id).where(Plan.code == PLAN)).one()
    assert plan_id is not None
    return World(url, engine, actors, plan_id, clock)


def _change_request(i: int) -> dict[str, Any]:
    """Economic change moving DKK 150,000 within UB; odd cases move it back, so budget lines never run dry."""
    years = (2017, 2016) if i % 2 == 0 else (2016, 2017)
    move = {
        "from_area": "UB",
        "from_year": years[0],
        "from_funder": "LBF",
        "to_area": "UB",
        "to_year": years[1],
        "to_funder": "LBF",
        "amount_dkk": 150_000,
    }
    return {"kind": "economic", "change_description": f"Benchmark change {i}", "budget_moves": [move]}


def open_cases(world: World, n: int) -> list[Job]:
    """Open n change requests (setup, not timed) and return the transitions to take on them, stage by stage."""
    ids = []
    with Session(world.engine) as session:
        for i in range(n):
            case = cases.open_case(
                session=session,
                actor=world.actors[OPENER],
                case_type="change_request",
                plan_id=world.plan_id,
                title=f"Benchmark {i}",
                data=_change_request(i),
                now=world.clock.now(),
            )
            assert case.id is not None
            ids.append(case.id)
    jobs, from_state = [], WORKFLOWS["change_request"].initial
    for k, step in enumerate(STEPS):
        jobs += [Job(case_id, 1 + k, from_state, step) for case_id in ids]
        from_state = step.to_state
    return jobs


def all_closed(engine: Engine, jobs: list[Job]) -> bool:
    ids = {job.case_id for job in jobs}
    with Session(engine) as session:
        closed = session.exec(select(func.count()).where(col(Case.id).in_(ids), Case.state == "closed")).one()
    return closed == len(ids)


@dataclass
class Timed:
    """Wall seconds of a run and the milliseconds of each transition in it."""

    seconds: float = 0.0
    ms: list[float] = field(default_factory=list)


def run_apply(world: World, jobs: list[Job], label: list[str] | None = None) -> Timed:
    """Take every job through apply_action, one session per transition (as one API request each)."""
    timed, start = Timed(), perf_counter()
    for job in jobs:
        if label is not None:
            label[0] = job.step.action
        began = perf_counter()
        with Session(world.engine) as session:
            cases.apply_action(
                session=session,
                actor=world.actors[job.step.actor],
                case_id=job.case_id,
                action=job.step.action,
                expected_version=job.version,
                data=job.step.data,
                now=world.clock.now(),
            )
        timed.ms.append((perf_counter() - began) * 1000)
    timed.seconds = perf_counter() - start
    return timed
