"""A real Celery worker on a real Redis runs the heartbeat task against the real database."""

import time
from datetime import UTC, datetime

from celery.contrib.testing.worker import start_worker
from sqlmodel import Session

from service.health import HEARTBEAT_KEY
from service.persistence.db import read_state
from workers import heartbeat
from workers.app import celery_app


def test_a_worker_on_redis_records_its_heartbeat(engine, redis_url, monkeypatch) -> None:
    monkeypatch.setattr(heartbeat, "worker_engine", lambda: engine)
    monkeypatch.setitem(celery_app.conf, "broker_url", redis_url)
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {"visibility_timeout": 3600})
    started = datetime.now(UTC)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        heartbeat.record_heartbeat.delay()
        deadline = time.monotonic() + 20
        row = None
        while time.monotonic() < deadline:
            with Session(engine) as session:
                row = read_state(session, HEARTBEAT_KEY)
            if row is not None and row.updated_at >= started:
                break
            time.sleep(0.1)
    assert row is not None and row.updated_at >= started, "the worker never recorded a heartbeat"
    assert ":" in row.value  # host:pid of the worker that ran it
