"""The demo register: what it loads, that a second run changes nothing, that it refuses foreign data."""

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from service.demo.seed import SeedRefused, months_per_year, seed_demo, split
from service.persistence import migrate
from service.persistence.db import make_engine
from service.persistence.tables import (
    Board,
    BudgetLine,
    Grant,
    GrantFunding,
    Meeting,
    Membership,
    Organisation,
    Plan,
    PlanParty,
    User,
)
from tests.conftest import make_settings


def count(session: Session, table: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def test_the_register_holds_what_the_demo_file_describes(session: Session) -> None:
    assert count(session, Plan) == 13
    assert count(session, Board) == 7
    assert count(session, User) == 59
    assert count(session, Meeting) == 44
    hp10 = session.exec(select(Plan).where(Plan.code == "HP-10")).one()
    parties = session.exec(select(Organisation.code).join(PlanParty).where(PlanParty.plan_id == hp10.id)).all()
    assert sorted(parties) == ["AAB", "FSB"]


def test_budgets_and_grants_add_up_to_each_plans_total(session: Session) -> None:
    hp10 = session.exec(select(Plan).where(Plan.code == "HP-10")).one()
    lines = session.exec(select(BudgetLine).where(BudgetLine.plan_id == hp10.id)).all()
    assert sum(line.amount_dkk for line in lines) == 15_000_000
    assert sum(line.amount_dkk for line in lines if line.funder == "LBF") == 11_250_000
    for plan in session.exec(select(Plan)):
        budget = session.exec(select(func.sum(BudgetLine.amount_dkk)).where(BudgetLine.plan_id == plan.id)).one()
        granted = session.exec(select(func.sum(GrantFunding.amount_dkk)).join(Grant).where(Grant.plan_id == plan.id)).one()
        assert budget == granted > 0, plan.code


def test_people_represent_the_organisations_they_sit_for(session: Session) -> None:
    sofie = session.exec(select(User).where(User.username == "sofie.brandt")).one()
    represented = session.exec(
        select(Organisation.code)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == sofie.id)
    ).all()
    assert sorted(represented) == ["AKB", "SAB"]


def test_split_keeps_the_total_exact() -> None:
    assert split(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(split(15_000_001, [0.75, 0.125, 0.125])) == 15_000_001
    assert months_per_year(date(2014, 3, 1), date(2018, 2, 28)) == {
        2014: 10,
        2015: 12,
        2016: 12,
        2017: 12,
        2018: 2,
    }


def snapshot(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to compare a database before and after."""
    return {
        name: sorted(tuple(map(str, row)) for row in session.execute(table.select()).all())
        for name, table in SQLModel.metadata.tables.items()
    }


def test_a_second_run_changes_nothing(engine) -> None:
    with Session(engine) as session:
        before = snapshot(session)
        result = seed_demo(session)
        assert not result.created
        assert "nothing changed" in result.message
    with Session(engine) as session:
        assert snapshot(session) == before


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_it_refuses_a_database_that_holds_other_data(kind: str, empty_database_factory, tmp_path) -> None:
    engine = make_engine(make_settings(empty_database_factory(kind), tmp_path))
    migrate.upgrade(engine)
    with Session(engine) as session:
        session.add(User(username="someone", full_name="Some One", email="s@example.org"))
        session.commit()
        with pytest.raises(SeedRefused, match=r"already holds other data \(1 users\)"):
            seed_demo(session)
        assert count(session, Plan) == 0
    engine.dispose()


def test_the_demo_histories_reach_the_states_the_demo_file_names(empty_database_factory, tmp_path) -> None:
    import yaml

    from service.demo.history import play_history
    from service.demo.seed import demo_source
    from service.persistence.case_tables import Case, CaseEvent

    engine = make_engine(make_settings(empty_database_factory("sqlite"), tmp_path))
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session)
        assert "Played 9" in play_history(session)
        assert "nothing changed" in play_history(session)
        wanted = [
            (e["type"], e.get("plan") or e.get("board"), e["state"]) for e in yaml.safe_load(demo_source())["example_cases"]
        ]
        codes = {p.id: p.code for p in session.exec(select(Plan))} | {}
        boards = {b.id: b.code for b in session.exec(select(Board))}
        examples = session.exec(select(Case).order_by(Case.id).limit(len(wanted)))  # played first; the generated follow
        got = [(c.case_type, codes.get(c.plan_id) or boards.get(c.board_id), c.state) for c in examples]
        assert sorted(got) == sorted(wanted)
        hp03 = session.exec(select(Plan).where(Plan.code == "HP-03")).one()
        assert hp03.competence == "central"
        first = session.exec(select(CaseEvent).order_by(CaseEvent.id)).first()
        assert first is not None and first.at.year == 2016  # played on the simulated 2016 clock
    engine.dispose()
