"""The README's first command, as a newcomer runs it: real processes on the embedded defaults.

`boligsocial db upgrade`, `seed-demo` and `serve` run in an empty folder with no BOLIGSOCIAL_* settings,
so the service uses SQLite under ./var and kombu's filesystem broker, with a worker and beat as children.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "boligsocial"


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOLIGSOCIAL_")}
    return env | extra


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=120)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, *, data: dict[str, str] | None = None, token: str | None = None) -> tuple[int, object]:
    body = urllib.parse.urlencode(data).encode() if data else None
    request = urllib.request.Request(url, data=body, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def children_of(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(proc.name))
    return found


def descendants_of(pid: int) -> list[int]:
    found = children_of(pid)
    return found + [d for child in found for d in descendants_of(child)]


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to read its exit."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("newcomer")
    assert run(folder, "db", "upgrade").returncode == 0
    seeded = run(folder, "seed-demo", "--history")  # as `make demo` does
    assert seeded.returncode == 0, seeded.stderr
    assert "13 plans" in seeded.stdout and "Played 9 demo case histories" in seeded.stdout
    again = run(folder, "seed-demo", "--history")
    assert again.returncode == 0 and again.stdout.count("nothing changed") == 2
    port = free_port()
    server = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)], cwd=folder, env=clean_env(), stdout=subprocess.PIPE, text=True
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
        server.kill()
        pytest.fail("the service did not answer /healthz within 60 s")
    assert server.stdout is not None
    assert f"log in at {base}/login as camilla.juhl, password demo" in server.stdout.readline()
    yield base
    workers = descendants_of(server.pid)  # the worker, its pool and its beat
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=40) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it handled
    assert len(workers) >= 2, "serve started no worker with a pool"
    assert not [pid for pid in workers if alive(pid)], "a worker process outlived the server"
    assert (folder / "var" / "boligsocial.db").exists()
