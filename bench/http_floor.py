"""The HTTP floor: a minimal FastAPI endpoint that does only the raw versioned UPDATE + event INSERT + COMMIT.

Served exactly as `boligsocial serve` serves the product (service/serving.py: uvicorn, the same number of
processes, the same listening socket), against the same PostgreSQL, so the ratio of the action's rate to this
endpoint's is what the product adds on top of HTTP and two statements: authentication, the actor, the situation,
guards, effects, history, the response. Each server thread keeps one psycopg connection (no pool, no ping).

    python -m bench.http_floor --port 8001 --workers 2   (BOLIGSOCIAL_DATABASE_URL names the database)
"""

import argparse
import os
import threading
from datetime import UTC, datetime
from typing import Any

import psycopg
from fastapi import FastAPI, HTTPException
from psycopg.types.json import Jsonb
from pydantic import BaseModel
from sqlalchemy.engine import make_url

from bench.floor import COLUMNS
from service import serving

CHANGE = "UPDATE cases SET state = %s, version = version + 1 WHERE id = %s AND version = %s"
ADD_EVENT = f"INSERT INTO case_events ({COLUMNS}) VALUES ({', '.join(['%s'] * 11)})"

app = FastAPI()
_local = threading.local()


class FloorAction(BaseModel):
    """What the client already knows, so the floor reads nothing: the step's states, actor and stored data."""

    expected_version: int
    from_state: str
    to_state: str
    actor_id: int
    acting_for_id: int | None
    data: dict[str, Any]


def _connection() -> psycopg.Connection:
    if getattr(_local, "connection", None) is None:
        url = make_url(os.environ["BOLIGSOCIAL_DATABASE_URL"]).set(drivername="postgresql")
        _local.connection = psycopg.connect(url.render_as_string(hide_password=False))
    connection: psycopg.Connection = _local.connection
    return connection


@app.post("/floor/cases/{case_id}/actions/{action}")
def act(case_id: int, action: str, body: FloorAction) -> dict[str, Any]:
    connection = _connection()
    version = body.expected_version
    with connection.transaction():
        if connection.execute(CHANGE, (body.to_state, case_id, version)).rowcount != 1:
            raise HTTPException(409, "version check failed")
        event = (case_id, version + 1, datetime.now(UTC), body.actor_id, body.acting_for_id, action, body.from_state)
        connection.execute(ADD_EVENT, (*event, body.to_state, "", Jsonb(body.data), None))
    return {"state": body.to_state, "version": version + 1}


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    target = app if args.workers == 1 else "bench.http_floor:app"
    # log_level "info" keeps uvicorn's access log on, as `serve` has it
    serving.run(target, host=args.host, port=args.port, workers=args.workers, log_level="info")


if __name__ == "__main__":
    main()
