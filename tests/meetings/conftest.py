"""A demo database of its own for the meeting tests, with one app per moment of a meeting's life.

The meeting tests move meetings and fill agendas, which would change what other modules' tests see as "the next
meeting", so they run on a database of their own. Each app reads the same database on its own business clock:
before BB-D5's March 2017 meeting (agenda open), during it, and the day after.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.demo.seed import seed_demo
from service.main import create_app
from service.persistence import migrate
from service.persistence.db import make_engine
from tests.conftest import make_settings
from workflows.calendar import LOCAL

API = "/api/v1"
S = "sara.bech"  # secretariat caseworker, secretary of BB-D5
BEFORE = datetime(2017, 2, 13, 10, 0, tzinfo=LOCAL)  # BB-D5 meets 2017-03-15 14:00; its cut-off is 2017-03-01
DURING = datetime(2017, 3, 22, 15, 0, tzinfo=LOCAL)  # the tests move that meeting to 2017-03-22 14:00
AFTER = datetime(2017, 3, 23, 9, 0, tzinfo=LOCAL)


@dataclass
class World:
    """Clients on one database at three moments, and logged-in headers per user and client."""

    clients: dict[str, TestClient]
    engine: Any
    tokens: dict[tuple[str, str], str]

    def auth(self, username: str, when: str = "before") -> dict[str, str]:
        if (when, username) not in self.tokens:
            reply = self.clients[when].post(f"{API}/auth/token", data={"username": username, "password": "demo"})
            assert reply.status_code == 200, reply.text
            self.tokens[(when, username)] = reply.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[(when, username)]}"}

    def call(self, when: str, method: str, path: str, user: str = S, status: int = 200, **kw: Any) -> Any:
        """A request as `user` at a moment; asserts the status and returns the JSON body (or the response)."""
        reply = self.clients[when].request(
            method, f"{API}{path}", headers={**self.auth(user, when), **kw.pop("headers", {})}, **kw
        )
        assert reply.status_code == status, f"{method} {path} as {user}: {reply.status_code} {reply.text}"
        return (
            reply.json()
            if reply.headers.get("content-type", "").startswith("application/") and "json" in reply.headers["content-type"]
            else reply
        )


@pytest.fixture(scope="module")
def world(backend: str, empty_database_factory, redis_url: str, tmp_path_factory) -> Iterator[World]:
    url = empty_database_factory(backend)
    var = tmp_path_factory.mktemp("var")
    engine = make_engine(make_settings(url, var, broker_url=redis_url))
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, timezone="Europe/Copenhagen")
    moments = {"before": BEFORE, "during": DURING, "after": AFTER}
    clients = {
        name: TestClient(create_app(make_settings(url, var, broker_url=redis_url, clock_start=moment)))
        for name, moment in moments.items()
    }
    for client in clients.values():
        client.__enter__()
    yield World(clients, engine, {})
    for client in clients.values():
        client.__exit__(None, None, None)
    engine.dispose()


Call = Callable[..., Any]
