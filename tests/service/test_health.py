"""Readiness names the dependency that is down; liveness needs nothing."""

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from service.config import Settings
from service.main import create_app
from service.persistence import migrate
from service.persistence.db import make_engine
from tests.conftest import make_settings


def test_healthz_is_open_and_alive(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_with_database_and_redis(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["down"] == []
    assert body["checks"]["database"] == {"ok": True, "detail": "reachable, writable and migrated"}
    assert body["checks"]["broker"] == {"ok": True, "detail": "reachable"}


def probe(settings) -> dict:
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    return response.json()


def test_readyz_names_an_unreachable_broker(settings, tmp_path) -> None:
    body = probe(make_settings(settings.database_url, tmp_path, broker_url="redis://127.0.0.1:1/0"))
    assert body["down"] == ["broker"]
    assert body["checks"]["broker"]["detail"].startswith("unreachable")


def test_readyz_names_a_database_with_pending_migrations(empty_database_factory, redis_url, tmp_path) -> None:
    body = probe(make_settings(empty_database_factory("sqlite"), tmp_path, broker_url=redis_url))
    assert body["down"] == ["database"]
    assert "migrations are pending" in body["checks"]["database"]["detail"]


def test_readyz_names_an_unreachable_database(redis_url, tmp_path) -> None:
    body = probe(make_settings("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path, broker_url=redis_url))
    assert body["down"] == ["database"]
    assert body["checks"]["database"]["detail"].startswith("unreachable")


@pytest.fixture
def migrated(backend: str, empty_database_factory, redis_url: str, tmp_path) -> Iterator[Settings]:
    """Settings for a migrated database of this test's own (readiness tests break it)."""
    settings = make_settings(empty_database_factory(backend), tmp_path, broker_url=redis_url)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    engine.dispose()
    yield settings


def test_readyz_says_not_ready_when_the_sqlite_file_is_deleted(empty_database_factory, redis_url, tmp_path) -> None:
    migrated = make_settings(empty_database_factory("sqlite"), tmp_path, broker_url=redis_url)
    engine = make_engine(migrated)
    migrate.upgrade(engine)
    engine.dispose()
    path = Path(migrated.database.database or "")
    with TestClient(create_app(migrated)) as client:
        assert client.get("/readyz").status_code == 200
        written = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x"})
        assert written.status_code == 401  # the app has pooled connections to the file
        path.unlink()
        body = client.get("/readyz").json()
        assert body["down"] == ["database"] and "unable to open database file" in body["checks"]["database"]["detail"]
        after = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x"})
        assert after.status_code == 503 and after.headers["retry-after"]  # no write into the unlinked file
    assert not path.exists()  # and no empty database created in its place


def test_readyz_says_not_ready_when_the_database_is_read_only(migrated: Settings, backend: str) -> None:
    with TestClient(create_app(migrated)) as client, read_only(migrated, backend):
        body = client.get("/readyz").json()
        assert body["down"] == ["database"]
        assert "read" in body["checks"]["database"]["detail"]
    with TestClient(create_app(migrated)) as client:
        assert client.get("/readyz").status_code == 200  # writable again


@contextmanager
def read_only(settings: Settings, backend: str) -> Iterator[None]:
    """The SQLite file made unwritable (immutable for root, who ignores modes), or PostgreSQL's database read-only."""
    if backend == "sqlite":
        path = Path(settings.database.database or "")
        as_root = os.geteuid() == 0
        subprocess.run(["chattr", "+i", str(path)], check=True) if as_root else path.chmod(0o444)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True) if as_root else path.chmod(0o644)
        return
    name = settings.database.database
    admin = create_engine(settings.database, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        try:
            yield
        finally:
            connection.execute(text("SET default_transaction_read_only = off"))
            connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off'))
    admin.dispose()
