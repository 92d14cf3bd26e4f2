"""Two writers on one case: the version check lets exactly one win; an idempotent retry adds nothing.

These tests need what one connection commits to be seen by another, so they commit for real and delete the
case's rows afterwards instead of using the rolled-back `session` fixture.
"""

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete, event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.cases import apply_action
from service.errors import Conflict, Invalid, ServiceError
from service.persistence.case_tables import BudgetChange, Case, CaseDeadline, CaseEvent, OutboxMessage
from service.stats import intervals
from tests.builders import SECRETARIAT, actor, budget, events, move, open_, play

OPENING = {"kind": "economic", "change_description": "Flyt", "budget_moves": [move("UB 2017 LBF", "UB 2016 LBF", 150_000)]}


@pytest.fixture
def submitted(engine: Engine) -> Iterator[int]:
    """A committed change request on HP-10 in `submitted`, removed with everything it wrote afterwards."""
    with Session(engine) as session:
        case = play(
            session, open_(session, "change_request", by="sara.norgaard", data=OPENING), [("sara.norgaard", "submit", None)]
        )
        assert case.id is not None and case.version == 2
        case_id = case.id
    yield case_id
    with Session(engine) as session:
        intervals.forget(session.connection(), [case_id])
        for table in (OutboxMessage, CaseDeadline, BudgetChange, CaseEvent):
            session.execute(delete(table).where(table.case_id == case_id))
        session.execute(delete(Case).where(Case.id == case_id))
        session.commit()


@dataclass(frozen=True)
class Taken:
    """What a writer got back: the case as apply_action returned it."""

    id: int | None
    state: str
    version: int


def take(engine: Engine, case_id: int, username: str, action: str, version: int, **kw: Any) -> Taken | ServiceError:
    """One writer: its own session and connection; returns the case or the refusal."""
    with Session(engine) as session:
        try:
            case = apply_action(
                session=session,
                actor=actor(session, username),
                case_id=case_id,
                action=action,
                expected_version=version,
                **kw,
            ).case
            return Taken(case.id, case.state, case.version)
        except ServiceError as refused:
            return refused


def stored(engine: Engine, case_id: int) -> tuple[str, int, list[str]]:
    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.state, case.version, [e.action for e in events(session, case_id)]


def one_winner(results: list[Taken | ServiceError], engine: Engine, case_id: int) -> tuple[Taken, Conflict]:
    """Exactly one writer won; the other got a 409 that says what the case is now."""
    won = [r for r in results if isinstance(r, Taken)]
    lost = [r for r in results if isinstance(r, ServiceError)]
    assert len(won) == 1 and len(lost) == 1, results
    [winner], [loser] = won, lost
    assert isinstance(loser, Conflict) and loser.status == 409, loser
    state, version, history = stored(engine, case_id)
    assert (winner.state, winner.version) == (state, version) and version == 3
    assert (loser.extra["state"], loser.extra["version"]) == (state, 3)
    assert len(history) == 3
    return winner, loser


def test_two_writers_at_the_same_version_one_wins(engine: Engine, backend: str, submitted: int) -> None:
    """Real threads on PostgreSQL; on SQLite (one writer at a time) the second write is simply stale."""
    writers = [(SECRETARIAT, "start_screening"), ("sara.norgaard", "withdraw")]
    results: list[Taken | ServiceError] = []
    if backend == "postgresql":
        barrier = threading.Barrier(len(writers))

        def run(username: str, action: str) -> None:
            barrier.wait()
            results.append(take(engine, submitted, username, action, 2))

        threads = [threading.Thread(target=run, args=w) for w in writers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
    else:
        results = [take(engine, submitted, username, action, 2) for username, action in writers]
    winner, _ = one_winner(results, engine, submitted)
    assert winner.state in ("screening", "withdrawn")


def while_updating(engine: Engine, meanwhile: Callable[[], object]) -> tuple[Callable[[], None], list[bool]]:
    """Run `meanwhile` once, just before the next UPDATE of `cases` goes to the database.

    Returns the listener's remover and a list that holds True once it has fired.
    """
    fired: list[bool] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE CASES") and not fired:
            fired.append(True)
            worker = threading.Thread(target=meanwhile)  # its own connection, so it commits independently
            worker.start()
            worker.join(timeout=60)

    event.listen(engine, "before_cursor_execute", before)
    return (lambda: event.remove(engine, "before_cursor_execute", before)), fired


def test_a_writer_overtaken_between_its_check_and_its_update_gets_a_conflict(engine: Engine, submitted: int) -> None:
    """PostgreSQL: the loser passed the version check; only `UPDATE ... WHERE version = ?` can stop it.

    SQLite: a writer holds the write lock from its first statement (BEGIN IMMEDIATE), so nobody can overtake it
    there; another writer trying to start meanwhile is told the database is locked.
    """
    if engine.dialect.name == "sqlite":
        locked: list[str] = []

        def try_to_write() -> None:
            raw = sqlite3.connect(engine.url.database or "", timeout=0)
            try:
                raw.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                locked.append(str(error))
            finally:
                raw.close()

        remove, fired = while_updating(engine, try_to_write)
        try:
            mine = take(engine, submitted, SECRETARIAT, "start_screening", 2)
        finally:
            remove()
        assert fired == [True] and locked == ["database is locked"]
        assert isinstance(mine, Taken) and mine.state == "screening"
        return
    other: list[Taken | ServiceError] = []
    remove, fired = while_updating(engine, lambda: other.append(take(engine, submitted, "sara.norgaard", "withdraw", 2)))
    try:
        mine = take(engine, submitted, SECRETARIAT, "start_screening", 2)
    finally:
        remove()
    assert fired == [True], "the other writer must overtake after the version check, before the UPDATE"
    winner, loser = one_winner([mine, *other], engine, submitted)
    assert winner.state == "withdrawn" and loser is mine
    assert "withdraw" not in loser.extra["allowed_actions"]


def test_an_idempotent_retry_returns_the_case_without_a_second_event(engine: Engine, submitted: int) -> None:
    first = take(engine, submitted, SECRETARIAT, "start_screening", 2, idempotency_key="screen-1")
    retry = take(engine, submitted, SECRETARIAT, "start_screening", 2, idempotency_key="screen-1")
    assert isinstance(first, Taken) and isinstance(retry, Taken)
    assert (retry.id, retry.state, retry.version) == (first.id, "screening", 3)
    assert stored(engine, submitted)[2] == ["open", "submit", "start_screening"]
    reused = take(engine, submitted, SECRETARIAT, "withdraw", 3, idempotency_key="screen-1")
    assert isinstance(reused, Invalid) and "screen-1" in reused.detail  # a key names one request only
    assert stored(engine, submitted) == ("screening", 3, ["open", "submit", "start_screening"])


def test_an_idempotent_retry_racing_the_original_adds_no_second_event(engine: Engine, submitted: int) -> None:
    """On SQLite writers are serialised (BEGIN IMMEDIATE), so the retry can only come after the original."""
    retry: list[Taken | ServiceError] = []
    again = lambda: retry.append(take(engine, submitted, SECRETARIAT, "start_screening", 2, idempotency_key="k"))  # noqa: E731
    racing = engine.dialect.name != "sqlite"
    remove, fired = while_updating(engine, again) if racing else ((lambda: None), [True])
    try:
        original = take(engine, submitted, SECRETARIAT, "start_screening", 2, idempotency_key="k")
    finally:
        remove()
    if not racing:
        again()
    assert fired == [True] and len(retry) == 1
    assert stored(engine, submitted) == ("screening", 3, ["open", "submit", "start_screening"])
    with Session(engine) as session:
        keyed = session.exec(select(CaseEvent.seq).where(CaseEvent.case_id == submitted, CaseEvent.idempotency_key == "k"))
        assert keyed.all() == [3]
    for outcome in (original, *retry):  # the same case again, or a 409 that already shows it done
        if isinstance(outcome, Taken):
            assert (outcome.state, outcome.version) == ("screening", 3)
        else:
            assert isinstance(outcome, Conflict) and (outcome.extra["state"], outcome.extra["version"]) == ("screening", 3)


def test_opposite_budget_moves_implemented_at_once_do_not_deadlock(engine: Engine) -> None:
    """Two approved cases move money between the same two lines in opposite directions, implemented at the same
    moment from two connections: lines are locked in one order, so both succeed (no deadlock, no 500)."""
    from tests.cases.test_case_rules import CR_APPROVED  # the steps that take a change request to `approved`

    ids: list[int] = []
    with Session(engine) as session:
        before = budget(session, "HP-10")
        for from_, to in (("UB 2017 LBF", "KP 2017 LBF"), ("KP 2017 LBF", "UB 2017 LBF")):
            data = {"kind": "economic", "change_description": "Flyt", "budget_moves": [move(from_, to, 1_000)]}
            case = play(session, open_(session, "change_request", by="sara.norgaard", data=data), CR_APPROVED.steps)
            assert case.state == "approved" and case.data["lbf_approval_needed"] is True
            ids.append(
                play(session, case, [(SECRETARIAT, "send_to_lbf", None), (SECRETARIAT, "record_lbf_approval", {})]).id or 0
            )
    # Each writer pauses after its first budget-line UPDATE until the other has done its first one too (or 2 s
    # pass): locking in each case's own order would now deadlock; in one shared order the second simply waits.
    meet = threading.Barrier(2)
    paused: set[int] = set()

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE BUDGET_LINES") and threading.get_ident() not in paused:
            paused.add(threading.get_ident())
            with contextlib.suppress(threading.BrokenBarrierError):
                meet.wait(timeout=2)

    event.listen(engine, "after_cursor_execute", after)
    try:
        results: list[Taken | ServiceError] = []
        workers = [
            threading.Thread(target=lambda c=c: results.append(take(engine, c, SECRETARIAT, "implement", 10))) for c in ids
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        event.remove(engine, "after_cursor_execute", after)
        assert [r.state for r in results if isinstance(r, Taken)] == ["implemented", "implemented"], results
        with Session(engine) as session:
            assert budget(session, "HP-10") == before  # the two moves cancel out
    finally:
        with Session(engine) as session:
            intervals.forget(session.connection(), list(ids))
            for table in (OutboxMessage, CaseDeadline, BudgetChange, CaseEvent):
                session.execute(delete(table).where(col(table.case_id).in_(ids)))
            session.execute(delete(Case).where(col(Case.id).in_(ids)))
            session.commit()
