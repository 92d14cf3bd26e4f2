"""The worker's heartbeat: a row that says which worker last ran a task, and when."""

import os
import socket

from sqlalchemy.engine import Engine

from service.health import HEARTBEAT_KEY
from service.persistence.db import session_scope, write_state
from workers.app import celery_app
from workers.runtime import worker_engine


def record(engine: Engine) -> str:
    """Write this process's heartbeat and return who it says it is."""
    who = f"{socket.gethostname()}:{os.getpid()}"
    with session_scope(engine) as session:
        write_state(session, HEARTBEAT_KEY, who)
    return who


@celery_app.task(name="workers.heartbeat.record_heartbeat")
def record_heartbeat() -> str:
    return record(worker_engine())
