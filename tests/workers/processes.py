"""Real processes for the worker tests: a Celery worker (killable), a Redis server (stoppable) and a task sender."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from celery import Celery

from service.config import Settings
from tests.conftest import SECRET
from tests.smtp_sink import free_port


def worker_env(settings: Settings, *, broker: str, smtp_port: int, clock_start: str, var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOLIGSOCIAL_")}
    return env | {
        "BOLIGSOCIAL_DATABASE_URL": settings.database.render_as_string(hide_password=False),
        "BOLIGSOCIAL_BROKER_URL": broker,
        "BOLIGSOCIAL_SECRET_KEY": SECRET,
        "BOLIGSOCIAL_VAR_DIR": str(var),
        "BOLIGSOCIAL_SMTP_HOST": "127.0.0.1",
        "BOLIGSOCIAL_SMTP_PORT": str(smtp_port),
        "BOLIGSOCIAL_SMTP_STARTTLS": "false",
        "BOLIGSOCIAL_CLOCK_START": clock_start,
        "BOLIGSOCIAL_MAIL_LEASE_SECONDS": "2",
        "BOLIGSOCIAL_MAIL_RETRY_SECONDS": "1",
    }


@contextmanager
def worker_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`celery worker` (solo pool, no beat: the test sends the ticks) until the block ends or the test kills it."""
    command = [sys.executable, "-m", "celery", "-A", "workers.app:celery_app", "worker", "--pool=solo"]
    command += ["--without-gossip", "--without-mingle", "--loglevel=INFO"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def redis_server(port: int | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of the test's own on loopback, with no persistence; stop it to make the broker go away."""
    port = port or free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def send(broker: str, task: str) -> None:
    """Send one tick, as beat would, from a producer of the test's own."""
    sender = Celery("tick", broker=broker)
    sender.conf.broker_connection_retry_on_startup = True
    try:
        sender.send_task(task)
    finally:
        sender.close()


def wait_until(check, timeout: float = 60, every: float = 0.1):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s")
