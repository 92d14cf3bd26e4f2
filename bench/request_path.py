"""Where a `POST /cases/{id}/actions/{action}` request's time goes, replayed in-process without HTTP.

Does, phase by phase and on a fresh session per request as service/deps.py does, what the endpoint and its
dependencies do: read the token and the user, load_actor, apply_action with the response built inside its
transaction (the case and its visibility, the register and the round in one load, the step, describe), and
serialise the answer. Times each phase and counts its SQL statements and pool checkouts. The framework, uvicorn
and the network are what the HTTP latency adds on top of this.
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter, process_time
from typing import Any

from sqlmodel import Session

from bench.hotspots import StatementCounter
from bench.workload import STEPS, World
from service import cases
from service.authz import load_actor
from service.cases import views as case_views
from service.config import Settings
from service.persistence.tables import User
from service.security import create_access_token, read_access_token

APPLY = "apply_action + describe"
SETTINGS = Settings(database_url="sqlite://", secret_key="x" * 48, _env_file=None)  # only to sign and read tokens
PHASES = ("token and user", "load_actor", APPLY, "serialise", "close session")


class Phases:
    """Times and labels the phases: statements counted while a phase runs are put down to it."""

    def __init__(self, counter: StatementCounter) -> None:
        self.counter = counter
        self.seconds: defaultdict[str, float] = defaultdict(float)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        self.counter.label[0] = name
        start = perf_counter()
        yield
        self.seconds[name] += perf_counter() - start


def _request(session: Session, world: World, token: str, case_id: int, k: int, phase: Phases) -> None:
    """One request's work, phase by phase; the case is at version 1 + k, before STEPS[k]."""
    step, settings = STEPS[k], SETTINGS
    with phase("token and user"):
        user = session.get(User, (read_access_token(settings, token) or (0, 0))[0])
        assert user is not None
    with phase("load_actor"):
        actor = load_actor(session, user, world.clock.today())
    with phase(APPLY):
        public = cases.apply_action(
            session=session,
            actor=actor,
            case_id=case_id,
            action=step.action,
            expected_version=1 + k,
            data=step.data or {},
            now=world.clock.now(),
            respond=lambda outcome: case_views.describe(session, outcome.situation, today=world.clock.today()),
        )
    with phase("serialise"):
        public.model_dump_json()
    with phase("close session"):
        session.close()


def replay(world: World, case_ids: list[int]) -> dict[str, Any]:
    """Take the cases through STEPS as the endpoint would; ms, statements and pool checkouts per request and phase."""
    tokens = {
        name: create_access_token(SETTINGS, user_id=actor.user_id, generation=0)[0] for name, actor in world.actors.items()
    }
    cpu = process_time()
    with StatementCounter(world.engine) as counter:
        phase = Phases(counter)
        for case_id in case_ids:
            for k, step in enumerate(STEPS):
                session = Session(world.engine, expire_on_commit=False)
                _request(session, world, tokens[step.actor], case_id, k, phase)
    summary = _summary(counter, phase.seconds, len(case_ids) * len(STEPS))
    return {**summary, "cpu_ms_per_request": round((process_time() - cpu) * 1000 / summary["requests"], 3)}


def _summary(counter: StatementCounter, seconds: dict[str, float], requests: int) -> dict[str, Any]:
    statements: Counter[str] = Counter()
    for (phase, _verb), n in counter.statements.items():
        statements[phase] += n

    def per(total: float) -> float:
        return round(total / requests, 3)

    phases = [
        {
            "phase": name,
            "ms": per(seconds[name] * 1000),
            "statements": per(statements[name]),
            "pool_checkouts": per(counter.checkouts[name]),
        }
        for name in PHASES
    ]
    return {
        "requests": requests,
        "ms_per_request": per(sum(seconds.values()) * 1000),
        "statements_per_request": per(sum(statements.values())),
        "pool_checkouts_per_request": per(sum(counter.checkouts.values())),
        "phases": phases,
    }
