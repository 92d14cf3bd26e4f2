"""`seed-demo --scale`, on SQLite and PostgreSQL: every case type, economic change requests whose money moves as
the engine moves it, and the statistics it writes in bulk equal a recount from the history it wrote."""

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.cases.budget import BUDGET_CHANGES, deltas
from service.demo.scale import generate
from service.demo.seed import DEMO_TODAY, seed_demo
from service.persistence import migrate
from service.persistence.case_tables import CASE_EVENTS, CASES
from service.persistence.db import make_engine
from service.persistence.stats_tables import BUCKETS, INTERVALS, SLIPS
from service.persistence.tables import BudgetLine
from service.stats import intervals, slips
from tests.conftest import make_settings
from workflows.guards import lbf_needed_by_default
from workflows.registry import WORKFLOWS

LINES = BudgetLine.__table__  # type: ignore[attr-defined]
TOTALS = select(LINES.c.plan_id, func.sum(LINES.c.amount_dkk)).group_by(LINES.c.plan_id)
CHANGE_REQUESTS = select(CASES.c.id, CASES.c.plan_id, CASES.c.data).where(CASES.c.case_type == "change_request")
CHANGES = select(*(BUDGET_CHANGES.c[n] for n in ("case_id", "activity_area_id", "year", "funder", "delta_dkk")))

IMPLEMENTED = select(CASE_EVENTS.c.case_id).where(CASE_EVENTS.c.action == "implement")
SENT_TO_LBF = select(CASE_EVENTS.c.case_id).where(CASE_EVENTS.c.action == "send_to_lbf")


@pytest.fixture(scope="module")
def scaled(backend: str, empty_database_factory, tmp_path_factory) -> Iterator[tuple[Engine, dict[int, int]]]:
    """3,000 generated cases, and each plan's budget total before them."""
    engine = make_engine(make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("var")))
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session)
        totals = dict(
            session.connection()
            .execute(select(LINES.c.plan_id, func.sum(LINES.c.amount_dkk)).group_by(LINES.c.plan_id))
            .all()
        )
        generate(session, 3000, until=DEMO_TODAY)
    yield engine, totals
    engine.dispose()


def test_every_case_type_is_generated(scaled: tuple[Engine, dict[int, int]]) -> None:
    with scaled[0].connect() as connection:
        types = set(connection.execute(select(CASES.c.case_type).distinct()).scalars())
        kinds = set(
            connection.execute(
                select(CASES.c.data["kind"].as_string()).where(CASES.c.case_type == "change_request")
            ).scalars()
        )
    assert types == set(WORKFLOWS) and kinds == {"content", "economic"}


def test_economic_changes_move_money_as_the_engine_does(scaled: tuple[Engine, dict[int, int]]) -> None:
    engine, before = scaled
    with engine.connect() as connection:
        cases = connection.execute(
            select(CASES.c.id, CASES.c.plan_id, CASES.c.data).where(CASES.c.case_type == "change_request")
        ).all()
        implemented = set(
            connection.execute(select(CASE_EVENTS.c.case_id).where(CASE_EVENTS.c.action == "implement")).scalars()
        )
        to_lbf = set(
            connection.execute(select(CASE_EVENTS.c.case_id).where(CASE_EVENTS.c.action == "send_to_lbf")).scalars()
        )
        changes: dict[int, dict[tuple[int, int, str], int]] = {}
        for case_id, area, year, funder, delta in connection.execute(
            select(
                BUDGET_CHANGES.c.case_id,
                BUDGET_CHANGES.c.activity_area_id,
                BUDGET_CHANGES.c.year,
                BUDGET_CHANGES.c.funder,
                BUDGET_CHANGES.c.delta_dkk,
            )
        ):
            changes.setdefault(case_id, {})[(area, year, str(funder))] = delta
        after = dict(
            connection.execute(select(LINES.c.plan_id, func.sum(LINES.c.amount_dkk)).group_by(LINES.c.plan_id)).all()
        )
        lowest = connection.execute(select(func.min(LINES.c.amount_dkk))).scalar_one()
    economic = [(i, d) for i, _, d in cases if d.get("kind") == "economic"]
    assert len([i for i, _ in economic if i in implemented]) > 20
    for case_id, data in economic:
        assert (case_id in changes) == (case_id in implemented)
        if case_id in changes:
            assert sorted(changes[case_id].values()) == sorted(deltas(data).values())
        if case_id in to_lbf:  # LBF exactly when the default policy asks for it
            assert lbf_needed_by_default(data, material=False)
    assert not any(d.get("kind") == "content" for i, _, d in cases if i in to_lbf)
    assert after == before and lowest >= 0  # moves within a plan keep its total; no line goes below zero


def test_bulk_statistics_equal_a_recount_from_the_history(scaled: tuple[Engine, dict[int, int]]) -> None:
    with scaled[0].begin() as connection:
        kept = [sorted(connection.execute(select(t)).all()) for t in (BUCKETS, SLIPS)]
        stays = sorted(tuple(r[1:]) for r in connection.execute(select(INTERVALS)).all())
        intervals.rebuild(connection)
        slips.rebuild(connection)
        assert [sorted(connection.execute(select(t)).all()) for t in (BUCKETS, SLIPS)] == kept
        assert sorted(tuple(r[1:]) for r in connection.execute(select(INTERVALS)).all()) == stays
        connection.rollback()
