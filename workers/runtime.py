"""What a worker process reads once: its settings, database engine and business clock."""

from datetime import datetime
from functools import lru_cache

from sqlalchemy.engine import Engine

from service.clock import Clock
from service.config import get_settings
from service.persistence.db import business_clock, demo_on, make_engine


@lru_cache
def worker_engine() -> Engine:
    """One engine per worker process, built from the process settings."""
    return make_engine(get_settings())


@lru_cache
def worker_clock() -> Clock:
    """The business clock, as the API reads it (the demo's world, or real time)."""
    settings = get_settings()
    return business_clock(settings, worker_engine(), demo=demo_on(settings, worker_engine()))


def now() -> datetime:
    return worker_clock().now()
