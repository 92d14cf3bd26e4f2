"""A throwaway PostgreSQL 15 on a free loopback port, with normal durability (fsync and synchronous_commit on)."""

import os
import pwd
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# Stated explicitly so the output can say what was measured: these are PostgreSQL's defaults.
DURABILITY = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres() -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the postgres user then (as scripts/test.sh does)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    return ["runuser", "-u", "postgres", "--"]


def _run(args: list[str], log: Path) -> None:
    """Run a PostgreSQL program, its output going to `log`; on failure show the log and stop."""
    with log.open("a") as out:
        done = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        server_log = log.with_name("pg.log")
        shown = server_log.read_text() if server_log.exists() else ""
        raise SystemExit(f"{' '.join(args)} failed:\n{log.read_text()}{shown}")


@contextmanager
def postgres(work: Path, databases: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Start a server under `work`, create `databases`, yield {name: SQLAlchemy URL}; stop it afterwards."""
    if not (PG_BIN / "initdb").exists():
        raise SystemExit(f"PostgreSQL 15 not found in {PG_BIN} (apt-get install postgresql-15, or set PG_BIN)")
    as_pg, port, data, log = _as_postgres(), free_port(), work / "pg", work / "commands.log"
    if as_pg:
        os.chown(work, pwd.getpwnam("postgres").pw_uid, -1)
    fresh = not (data / "PG_VERSION").exists()  # a kept cluster (bench.stats --keep) is started as it is
    if fresh:
        initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]
        _run([*as_pg, *initdb], log)
    settings = " ".join(f"-c {key}={value}" for key, value in DURABILITY.items())
    options = f"-p {port} -k {work} -c listen_addresses=127.0.0.1 {settings}"
    _run([*as_pg, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(work / "pg.log"), "-w", "start", "-o", options], log)
    try:
        for name in databases if fresh else ():
            _run([*as_pg, str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", name], log)
        yield {name: f"postgresql+psycopg://postgres@127.0.0.1:{port}/{name}" for name in databases}
    finally:
        _run([*as_pg, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], log)
