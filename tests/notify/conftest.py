"""A database of its own per module (jobs commit), with the demo register."""

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.config import Settings
from service.demo.seed import seed_demo
from service.persistence import migrate
from service.persistence.db import make_engine
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def own_settings(backend: str, empty_database_factory, redis_url: str, tmp_path_factory) -> Settings:
    return make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("var"), broker_url=redis_url)


@pytest.fixture(scope="module")
def own_engine(own_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(own_settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, timezone=own_settings.timezone)
    yield engine
    engine.dispose()
