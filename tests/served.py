"""A real `boligsocial serve` process (with its embedded worker) on SQLite or PostgreSQL, for tests that need
real concurrent clients, real sockets and files on disk. It trusts X-Forwarded-For from loopback, so one test
machine can speak from many client addresses.
"""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.embedded import BIN, alive, clean_env, descendants_of, fetch, free_port

MAX_UPLOAD_MB = 2
SECRET = "served-test-secret-key-that-is-long-enough-0123456789"


@dataclass(frozen=True)
class Served:
    base: str
    port: int
    pid: int
    var: Path

    def token(self, username: str) -> str:
        status, body = fetch(f"{self.base}/api/v1/auth/token", data={"username": username, "password": "demo"})
        assert status == 200, body
        return str(body["access_token"])  # type: ignore[index]

    def rss_kib(self) -> int:
        """The server's resident memory (the process itself, not its worker)."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


@pytest.fixture(scope="module")
def served(backend: str, empty_database_factory, redis_url: str, tmp_path_factory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served")
    env = clean_env(
        BOLIGSOCIAL_DATABASE_URL=empty_database_factory(backend),
        BOLIGSOCIAL_VAR_DIR=str(folder / "var"),
        BOLIGSOCIAL_SECRET_KEY=SECRET,
        BOLIGSOCIAL_TRUSTED_PROXIES="127.0.0.1",
        BOLIGSOCIAL_MAX_UPLOAD_MB=str(MAX_UPLOAD_MB),
        **({"BOLIGSOCIAL_BROKER_URL": redis_url} if backend != "sqlite" else {}),
    )
    for command in (["db", "upgrade"], ["seed-demo"]):
        done = subprocess.run([str(BIN), *command], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        os.killpg(server.pid, signal.SIGKILL)
        pytest.fail("serve did not answer /healthz within 60 s")
    yield Served(base=base, port=port, pid=server.pid, var=folder / "var")
    workers = descendants_of(server.pid)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=40)
    assert not [pid for pid in workers if alive(pid)], "a worker process outlived the server"
