"""Real databases for every test: SQLite (a file) and PostgreSQL (a fresh database per test session).

`scripts/test.sh` starts a throwaway PostgreSQL and Redis and exports their URLs; every test that uses
`settings` runs once per backend.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from service.config import Settings
from service.demo.seed import seed_demo
from service.main import create_app
from service.persistence import migrate
from service.persistence.db import make_engine
from tests.embedded import embedded  # noqa: F401  (the running service, shared by its test modules)
from tests.served import served  # noqa: F401  (a running service per backend, for load and limit tests)

SECRET = "test-secret-key-that-is-long-enough-0123456789"


def env_url(name: str) -> str:
    url = os.environ.get(name)
    if not url:
        pytest.fail(f"{name} is not set: run the suite with `make test`, which starts PostgreSQL and Redis")
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    return env_url("BOLIGSOCIAL_TEST_REDIS_URL")


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    return env_url("BOLIGSOCIAL_TEST_POSTGRES_URL")


def new_database(kind: str, tmp: Path, postgres_admin_url: str | None = None) -> str:
    """The URL of a new, empty database of the given kind."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'{uuid.uuid4().hex}.db'}"
    assert postgres_admin_url
    name = f"bs_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def empty_database_factory(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    """Make new empty databases: `factory("sqlite")` or `factory("postgresql")`."""

    def factory(kind: str) -> str:
        admin = request.getfixturevalue("postgres_admin_url") if kind == "postgresql" else None
        return new_database(kind, tmp_path_factory.mktemp("db"), admin)

    return factory


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_settings(database_url: str, var_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "var_dir": var_dir,
        "secret_key": SECRET,
        "demo": None,
    }
    return Settings(_env_file=None, **(values | overrides))


@pytest.fixture(scope="session")
def settings(backend: str, empty_database_factory, redis_url: str, tmp_path_factory) -> Settings:
    """Settings for a migrated database holding the demo register, on this session's backend."""
    return make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("var"), broker_url=redis_url)


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, timezone=settings.timezone)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back at the end of the test."""
    connection = engine.connect()
    transaction = connection.begin()
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session
    transaction.rollback()
    connection.close()


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine):
    return create_app(settings)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="session")
def tokens(client: TestClient) -> dict[str, str]:
    """Bearer tokens per username, each logged in once per session (Argon2 is deliberately slow)."""
    return {}


@pytest.fixture(scope="session")
def auth(client: TestClient, tokens: dict[str, str]):
    """`auth("eva.holm")` gives the headers of a logged-in demo user."""

    def headers(username: str, password: str = "demo") -> dict[str, str]:
        if username not in tokens:
            response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
            assert response.status_code == 200, response.text
            tokens[username] = response.json()["access_token"]
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


@pytest.fixture(scope="module")
def own_settings(backend: str, empty_database_factory, redis_url: str, tmp_path_factory) -> Settings:
    """Settings for a database of the module's own (for tests that commit: jobs, users, throttles)."""
    return make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("var"), broker_url=redis_url)


@pytest.fixture(scope="module")
def own_engine(own_settings: Settings) -> Iterator[Engine]:
    """The module's own database, migrated, with the demo register."""
    engine = make_engine(own_settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, timezone=own_settings.timezone)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def own_app(own_settings: Settings, own_engine: Engine) -> Any:
    """An app on a database of its own with the demo register, for tests that change users or throttle logins."""
    return create_app(own_settings)
