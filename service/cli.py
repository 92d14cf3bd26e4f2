"""The `boligsocial` command: migrations, the demo register, the server, workers and accounts."""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.config import Settings, StartupError
from service.persistence import migrate
from service.persistence.db import check_database, demo_seeded, make_engine
from service.persistence.tables import Organisation, SystemRole, User

app = typer.Typer(help="Sager for de boligsociale helhedsplaner i København.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")


def fail(message: str) -> NoReturn:
    typer.echo(f"boligsocial: {message}", err=True)
    raise typer.Exit(2)


def load_settings() -> Settings:
    """The process settings, or one clear line per bad setting."""
    try:
        return Settings()
    except ValidationError as error:
        lines = [f"BOLIGSOCIAL_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors()]
        fail("invalid setting " + "; ".join(lines))


def connect(settings: Settings) -> Engine:
    """An engine that has reached the database once."""
    engine = make_engine(settings)
    try:
        check_database(engine, settings)
    except StartupError as error:
        fail(str(error))
    return engine


def ready_engine(settings: Settings) -> Engine:
    engine = connect(settings)
    if migrate.pending(engine):
        fail("the database is not migrated to the newest version: run `boligsocial db upgrade` first")
    return engine


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply Alembic migrations to the configured database."""
    settings = load_settings()
    migrate.upgrade(connect(settings), revision)
    typer.echo(f"Database {settings.redacted_database_url()} is at revision {revision}.")


@app.command("seed-demo")
def seed_demo(
    history: Annotated[
        bool, typer.Option("--history", help="Also play the example cases of 2016 through the engine")
    ] = False,
    scale: Annotated[
        int, typer.Option("--scale", min=0, max=10_000_000, help="Also generate N cases for benchmarks (in bulk)")
    ] = 0,
) -> None:
    """Load the demo register (copenhagen-2016.yaml) into an empty database; a second run changes nothing."""
    from service.demo import scale as scaled
    from service.demo.history import play_history
    from service.demo.seed import SeedRefused, seed_demo
    from service.notify.fanout import settle_past
    from service.persistence.db import demo_clock

    settings = load_settings()
    with Session(ready_engine(settings)) as session:
        try:
            result = seed_demo(session, timezone=settings.timezone)
        except SeedRefused as error:
            fail(str(error))
        typer.echo(result.message)
        if history:
            typer.echo(play_history(session))
        if scale:
            typer.echo(scaled.generate(session, scale, until=demo_clock(session).now()))
        if history or scale:
            past = settle_past(session, before=demo_clock(session).now())
            typer.echo(f"Marked {past} notifications of the played past as relayed: nobody is mailed about history.")


@app.command("export-events")
def export_events(
    format: Annotated[str, typer.Option("--format", help="csv or xes (IEEE 1849)")] = "csv",
    output: Annotated[str, typer.Option("--output", "-o", help="A file to write; standard output by default")] = "-",
) -> None:
    """The whole event log for process-mining tools (one row per history event, or an XES trace per case)."""
    from service.stats import eventlog

    if format not in ("csv", "xes"):
        fail("--format must be csv or xes")
    engine = ready_engine(load_settings())
    with engine.connect() as connection, contextlib.ExitStack() as stack:
        out = sys.stdout if output == "-" else stack.enter_context(open(output, "w", encoding="utf-8", newline=""))
        rows = eventlog.events(connection)
        for piece in eventlog.csv_lines(rows) if format == "csv" else eventlog.xes_lines(rows):
            out.write(piece)


def _die_with_parent() -> None:
    """Ask Linux to stop the child when the server process dies, however it dies."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    schedule = settings.var_dir / "celerybeat-schedule"
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    # One embedded worker: no peers to gossip or sync with, which also makes start and stop faster.
    command = [sys.executable, "-m", "celery", "-A", "workers.app:celery_app", "worker", "--beat"]
    command += ["--without-gossip", "--without-mingle", "--loglevel=INFO", "--concurrency=2", f"--schedule={schedule}"]
    # A process group of its own, so that stopping it ends its pool and beat processes too.
    return subprocess.Popen(command, preexec_fn=_die_with_parent, process_group=0)


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Warm shutdown (finish the running task), then kill what is left of the worker's processes."""
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    with contextlib.suppress(ProcessLookupError):  # a pool or beat process that outlived the worker's shutdown
        os.killpg(worker.pid, signal.SIGKILL)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Do not start a worker and beat")] = False,
    workers: Annotated[int, typer.Option(min=1, help="Server processes sharing the port (each with its own pool)")] = 1,
) -> None:
    """Start the API and UI; unless --no-worker, also a Celery worker with beat as a child process.

    With --workers N, N uvicorn processes serve the one port, each building the app from the environment's
    settings (service/serving.py binds the socket so that TCP_NODELAY stays on).
    """
    from service import serving
    from service.main import create_app

    settings = load_settings()
    engine = ready_engine(settings)
    with Session(engine) as session:
        demo = settings.demo if settings.demo is not None else demo_seeded(session)
    try:
        settings.check_secrets(demo=demo)
    except StartupError as error:
        fail(str(error))
    worker = None if no_worker else start_worker(settings)
    url = f"http://{host}:{port}"
    typer.echo(f"boligsocial runs at {url} — log in at {url}/login" + (" as camilla.juhl, password demo" if demo else ""))
    typer.echo(f"API documentation: {url}/docs")
    # uvicorn re-raises the SIGTERM it handled once it has stopped; turn that into an exit that runs `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        # X-Forwarded-For/-Proto are believed only from the configured proxies; by default from nobody.
        proxies = settings.trusted_proxies.strip()
        app = create_app(settings) if workers == 1 else "service.main:create_app"
        serving.run(
            app,
            host=host,
            port=port,
            workers=workers,
            factory=workers > 1,
            log_level="info",
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or None,
        )
    finally:
        if worker is not None:
            stop_worker(worker)


@app.command()
def worker(concurrency: int = 2) -> None:
    """A Celery worker alone (production); run `boligsocial beat` once beside it."""
    ready_engine(load_settings())
    from workers.app import celery_app

    celery_app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}"])


@app.command()
def beat() -> None:
    """The Celery beat scheduler alone (production); exactly one per installation."""
    settings = load_settings()
    ready_engine(settings)
    from workers.app import celery_app

    celery_app.start(["beat", "--loglevel=INFO", f"--schedule={settings.var_dir / 'celerybeat-schedule'}"])


@users_app.command("create")
def users_create(
    username: str,
    full_name: Annotated[str, typer.Option("--name", help="Full name")],
    email: Annotated[str, typer.Option(help="Email address for reminders")],
    organisation: Annotated[str | None, typer.Option(help="Code of the organisation they work for")] = None,
    role: Annotated[SystemRole | None, typer.Option(help="A system role, if any")] = None,
) -> None:
    """Create a user account (production has no demo accounts); the password is asked for, never an argument."""
    from service.security import hash_password

    password = ask_password(username, full_name, email)
    with Session(ready_engine(load_settings())) as session:
        if session.exec(select(User).where(User.username == username)).first():
            fail(f"there is already a user called {username!r}")
        org = session.exec(select(Organisation).where(Organisation.code == organisation)).first() if organisation else None
        if organisation and org is None:
            fail(f"there is no organisation with code {organisation!r} (see GET /api/v1/organisations)")
        session.add(
            User(
                username=username,
                full_name=full_name,
                email=email,
                organisation_id=org.id if org else None,
                system_role=role,
                password_hash=hash_password(password),
            )
        )
        session.commit()
    typer.echo(f"Created user {username}.")


def ask_password(*user_inputs: str) -> str:
    """A new password typed twice on the terminal (never an argument: it would show in the process list)."""
    from service.security import password_problem

    password = str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    if problem := password_problem(password, user_inputs=user_inputs):
        fail(problem)
    return password


@users_app.command("list")
def users_list() -> None:
    """List user accounts."""
    with Session(ready_engine(load_settings())) as session:
        for user in session.exec(select(User).order_by(col(User.username))):
            flags = " ".join(f for f, on in (("demo", user.is_demo), ("inactive", not user.is_active)) if on)
            typer.echo(f"{user.username:24} {user.full_name:28} {user.system_role or '':8} {flags}")


@users_app.command("set-password")
def users_set_password(username: str) -> None:
    """Give a user a new password, asked for on the terminal (and reactivate the account); ends their sessions."""
    from service.security import hash_password

    password = ask_password(username)
    with Session(ready_engine(load_settings())) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            fail(f"there is no user called {username!r}")
        user.password_hash, user.is_active, user.is_demo = hash_password(password), True, False
        user.session_generation += 1  # cookies and tokens issued under the old password stop working
        session.add(user)
        session.commit()
    typer.echo(f"New password set for {username}.")


@users_app.command("deactivate")
def users_deactivate(username: str) -> None:
    """Stop a user from logging in; their history stays."""
    with Session(ready_engine(load_settings())) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            fail(f"there is no user called {username!r}")
        user.is_active = False
        user.session_generation += 1  # its cookies and tokens stop working at once
        session.add(user)
        session.commit()
    typer.echo(f"{username} can no longer log in.")
