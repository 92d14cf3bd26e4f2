"""One Alembic history for SQLite and PostgreSQL, in step with the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from service.persistence import migrate
from service.persistence.db import make_engine
from tests.conftest import make_settings


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_on_an_empty_database_matches_the_models(kind: str, empty_database_factory, tmp_path) -> None:
    engine = make_engine(make_settings(empty_database_factory(kind), tmp_path))
    assert migrate.pending(engine)
    migrate.upgrade(engine)
    assert not migrate.pending(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_downgrade_to_base_and_up_again(kind: str, empty_database_factory, tmp_path) -> None:
    engine = make_engine(make_settings(empty_database_factory(kind), tmp_path))
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert "plans" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert "plans" in inspect(engine).get_table_names()
    engine.dispose()
