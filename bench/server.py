"""The real server (`boligsocial serve --no-worker --workers N`) or the HTTP floor as a subprocess, and CPU time."""

import http.client
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.pg import free_port

BOLIGSOCIAL = Path(sys.executable).with_name("boligsocial")
TICKS = os.sysconf("SC_CLK_TCK")


@contextmanager
def serve(database_url: str, work: Path, workers: int, floor: bool = False) -> Iterator[tuple[str, int, int]]:
    """Start `boligsocial serve --workers N` (or, with `floor`, bench/http_floor.py served the same way) on a free
    loopback port; yield (host, port, pid) once /healthz answers; stop it afterwards."""
    port = free_port()
    env = dict(
        os.environ,
        BOLIGSOCIAL_DATABASE_URL=database_url,
        BOLIGSOCIAL_SECRET_KEY=secrets.token_urlsafe(48),
        BOLIGSOCIAL_VAR_DIR=str(work / "var"),
        BOLIGSOCIAL_ACCESS_TOKEN_MINUTES="240",
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),  # bench/ is not installed; cwd is `work`
    )
    options = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command = [sys.executable, "-m", "bench.http_floor"] if floor else [str(BOLIGSOCIAL), "serve", "--no-worker"]
    log = work / ("floor.log" if floor else "server.log")
    with log.open("w") as out:  # cwd=work: no project .env is read; the access log goes to a file, as in production
        server = subprocess.Popen([*command, *options], env=env, cwd=work, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up("127.0.0.1", port, server, log)
        yield "127.0.0.1", port, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(host: str, port: int, server: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection(host, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer /healthz within {timeout} s:\n{log.read_text()}")


def postgres_cpu_seconds(data_dir: Path) -> float:
    """CPU seconds used so far by PostgreSQL: the postmaster, its live children (backends, walwriter, ...) and the
    children it has reaped (cutime, cstime), so backends that come and go between two readings are counted too."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    children = [
        int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit() and _parent(entry) == postmaster
    ]
    fields = _stat(postmaster)
    reaped = (int(fields[13]) + int(fields[14])) / TICKS if fields else 0.0  # cutime, cstime: fields 16 and 17
    return cpu_seconds([postmaster, *children]) + reaped


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (so field 3 of proc(5) is [0]); [] when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _parent(entry: Path) -> int | None:
    fields = _stat(int(entry.name))
    return int(fields[1]) if fields else None


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (all their threads)."""
    ticks = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of proc(5)
    return ticks / TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its live children (a uvicorn supervisor and its workers)."""
    children = [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit() and _parent(entry) == pid]
    return cpu_seconds([pid, *children])
