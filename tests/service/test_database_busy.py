"""A database that cannot take the write in time is a 503 with Retry-After, never a 500.

On SQLite writers queue on the lock for 30 s (busy timeout), and a vanished file is covered in test_health.py; here
PostgreSQL gives up on a held lock after its lock_timeout.
"""

import threading

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlmodel import Session

from service.demo.seed import seed_demo
from service.main import create_app
from service.persistence import migrate
from service.persistence.db import make_engine
from tests.api.test_api_cases import open_change
from tests.conftest import make_settings


def test_a_lock_held_too_long_is_503_with_retry_after(empty_database_factory, redis_url, tmp_path) -> None:
    settings = make_settings(empty_database_factory("postgresql"), tmp_path, broker_url=redis_url)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, timezone=settings.timezone)
    admin = create_engine(settings.database, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"ALTER DATABASE \"{settings.database.database}\" SET lock_timeout = '300ms'"))
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        token = client.post("/api/v1/auth/token", data={"username": "sara.norgaard", "password": "demo"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        case = open_change(client, lambda _who: headers)
        other = create_engine(settings.database)  # another client, in a transaction of its own
        holder, locked, release = other.connect(), threading.Event(), threading.Event()

        def hold() -> None:
            with holder.begin():
                holder.execute(text("SET LOCAL lock_timeout = 0"))
                holder.execute(text("LOCK TABLE case_comments IN ACCESS EXCLUSIVE MODE"))
                locked.set()
                release.wait(10)

        thread = threading.Thread(target=hold)
        thread.start()
        assert locked.wait(10)
        busy = client.post(f"/api/v1/cases/{case['id']}/comments", json={"body": "Nu?"}, headers=headers)
        release.set()
        thread.join()
        holder.close()
        other.dispose()
        assert busy.status_code == 503 and int(busy.headers["retry-after"]) > 0
        assert busy.headers["content-type"] == "application/problem+json"
        later = client.post(f"/api/v1/cases/{case['id']}/comments", json={"body": "Nu!"}, headers=headers)
        assert later.status_code == 201
    admin.dispose()
