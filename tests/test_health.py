"""Readiness names the dependency that is down; liveness needs nothing."""

from fastapi.testclient import TestClient

from service.main import create_app
from tests.conftest import make_settings


def test_healthz_is_open_and_alive(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_with_database_and_redis(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["down"] == []
    assert body["checks"]["database"] == {"ok": True, "detail": "reachable and migrated"}
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
