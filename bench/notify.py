"""`make bench-notify`: the deadline sweep and mail delivery, on SQLite and PostgreSQL.

With 100,000 open deadlines (default; `--deadlines N`):
- the empty tick (nothing due: the target is under 100 ms), against a baseline in the same run: the same question
  answered by reading every open deadline (what a sweep without the next-rung index would have to do);
- the sweep when 1,000 rungs are due (each fired once, its recipients resolved through the engine);
- mails per second delivered to a local SMTP server (aiosmtpd on loopback), against smtplib sending the same
  messages on one connection with no database (the floor).
"""

import argparse
import smtplib
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel import select as select_rows

from bench.pg import postgres
from service.config import Settings
from service.demo.seed import seed_demo
from service.notify import delivery, jobs
from service.notify.mails import MAILS
from service.notify.sweep import due
from service.persistence import migrate
from service.persistence.case_tables import CASE_DEADLINES, CASE_EVENTS, CASES
from service.persistence.db import make_engine
from service.persistence.tables import Plan, User
from tests.smtp_sink import smtp_sink

NOW = datetime(2016, 4, 11, 8, 0, tzinfo=UTC)  # a Monday, 10:00 in Copenhagen
BATCH = 20_000


def prepare(url: str, var: Path) -> tuple[Settings, Engine]:
    settings = Settings(_env_file=None, database_url=url, var_dir=var, secret_key="bench-" + "x" * 40)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, timezone=settings.timezone)
    return settings, engine


def open_deadlines(engine: Engine, count: int, due_now: int) -> None:
    """`count` submitted change requests with their screening deadline open; `due_now` of them have a rung today."""
    with Session(engine) as session:
        plan = session.exec(select(Plan.id).where(Plan.code == "HP-10")).scalar_one()  # type: ignore[call-overload]
        leader = session.exec(select(User.id).where(User.username == "sara.norgaard")).scalar_one()  # type: ignore[call-overload]
    data = {"kind": "content", "change_description": "bench"}
    with engine.begin() as connection:
        first = (connection.execute(select(func.coalesce(func.max(CASES.c.id), 0))).scalar_one() or 0) + 1
        for start in range(0, count, BATCH):
            ids = range(first + start, first + min(start + BATCH, count))
            connection.execute(
                insert(CASES),
                [
                    dict(
                        id=i,
                        reference=f"BENCH-{i}",
                        case_type="change_request",
                        state="submitted",
                        version=2,
                        is_open=True,
                        plan_id=plan,
                        title="Bench",
                        description="",
                        data=data,
                        created_by_id=leader,
                    )
                    for i in ids
                ],
            )
            events = connection.execute(
                insert(CASE_EVENTS).returning(CASE_EVENTS.c.id, CASE_EVENTS.c.case_id, sort_by_parameter_order=True),
                [
                    dict(
                        case_id=i,
                        seq=2,
                        at=NOW - timedelta(days=7),
                        actor_id=leader,
                        action="submit",
                        from_state="draft",
                        to_state="submitted",
                        comment="",
                        data={},
                    )
                    for i in ids
                ],
            ).all()
            connection.execute(
                insert(CASE_DEADLINES),
                [
                    dict(
                        case_id=case_id,
                        name="screening",
                        kind="service_target",
                        status="open",
                        due_on=date(2016, 4, 18),
                        rule="bench",
                        opened_event_id=event_id,
                        attempts=0,
                        next_rung="before_7",
                        next_rung_on=date(2016, 4, 11) if n < due_now else date(2016, 4, 15),
                    )
                    for n, (event_id, case_id) in enumerate(events, start=start)
                ],
            )


def median_ms(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def naive_tick(engine: Engine) -> None:
    """The baseline: read every open deadline and decide in Python which has a reminder due today."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(CASE_DEADLINES.c.id, CASE_DEADLINES.c.due_on, CASE_DEADLINES.c.next_rung_on).where(
                CASE_DEADLINES.c.status == "open"
            )
        ).all()
    [r for r in rows if r.next_rung_on and r.next_rung_on <= date(2016, 4, 10)]


def sweep_times(settings: Settings, engine: Engine, repeat: int) -> dict[str, float]:
    quiet = NOW - timedelta(days=1)  # Sunday: nothing is due yet
    empty = median_ms(lambda: jobs.sweep_deadlines(engine, settings, quiet), repeat)
    baseline = median_ms(lambda: naive_tick(engine), max(3, repeat // 4))
    with Session(engine) as session:
        query = select(func.count()).select_from(due(NOW.date(), 100_000).subquery())  # type: ignore[arg-type]
        waiting = session.execute(query).scalar_one()
    started = time.perf_counter()
    fired = 0
    while True:
        result = jobs.sweep_deadlines(engine, settings, NOW, limit=500)
        fired += result["fired"]
        if result["fired"] + result["failed"] == 0:
            break
    busy = (time.perf_counter() - started) * 1000
    return {"empty_ms": empty, "naive_ms": baseline, "due": waiting, "fired": fired, "busy_ms": busy}


def mail_rate(settings: Settings, engine: Engine, count: int) -> dict[str, float]:
    """Mails per second through `delivery.deliver`, and smtplib alone on the same messages."""
    with engine.begin() as connection:
        connection.execute(update(MAILS).where(MAILS.c.sent_at.is_(None)).values(sent_at=NOW))  # start from none
        rows = [
            dict(
                to_address=f"p{i}@example.org",
                kind="single",
                language="da",
                subject=f"Påmindelse {i}",
                body_text="Hej\n" * 20,
                body_html="<p>Hej</p>" * 20,
                message_id=f"<bench-{i}-{time.time_ns()}@b>",
                created_at=NOW,
                not_before=NOW,
                stored=False,
                attempts=0,
            )
            for i in range(count)
        ]
        connection.execute(insert(MAILS), rows)
    with smtp_sink() as (sink, port):
        smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False})
        started, sent = time.perf_counter(), 0
        while sent < count:
            sent += delivery.deliver(engine, smtp, now=lambda: NOW, limit=200).sent
        ours = count / (time.perf_counter() - started)
        with Session(engine) as session:
            messages = [delivery.message(m, smtp) for m in session.exec(select_rows(delivery.Mail).limit(count))]
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as client:
            for message in messages:
                client.send_message(message)
        floor = len(messages) / (time.perf_counter() - started)
        assert len(sink.received) >= count
    return {"mails_per_s": ours, "floor_per_s": floor}


def measure(name: str, url: str, var: Path, deadlines: int, due_now: int, mails: int, repeat: int) -> dict[str, Any]:
    settings, engine = prepare(url, var)
    started = time.perf_counter()
    open_deadlines(engine, deadlines, due_now)
    print(f"{name}: {deadlines:,} open deadlines written in {time.perf_counter() - started:.1f} s", flush=True)
    result = {"backend": name, **sweep_times(settings, engine, repeat), **mail_rate(settings, engine, mails)}
    engine.dispose()
    return result


def report(results: list[dict[str, Any]], deadlines: int) -> None:
    print(f"\nSweep and delivery with {deadlines:,} open deadlines (medians; ratios against the same run's baseline)")
    print(
        f"{'backend':<11}{'empty tick':>12}{'read-all':>10}{'ratio':>8}{'due':>7}{'fired':>7}{'busy sweep':>12}"
        f"{'mails/s':>9}{'smtplib/s':>11}{'share':>7}"
    )
    for r in results:
        print(
            f"{r['backend']:<11}{r['empty_ms']:>10.1f}ms{r['naive_ms']:>8.0f}ms{r['naive_ms'] / r['empty_ms']:>7.0f}x"
            f"{r['due']:>7}{r['fired']:>7}{r['busy_ms'] / 1000:>11.1f}s{r['mails_per_s']:>9.0f}{r['floor_per_s']:>11.0f}"
            f"{r['mails_per_s'] / r['floor_per_s']:>7.2f}"
        )
    verdict = all(r["empty_ms"] < 100 for r in results)
    print(f"target: empty tick under 100 ms on both databases: {'met' if verdict else 'NOT met'}")


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--mails", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as folder:
        work = Path(folder)
        work.chmod(0o755)  # PostgreSQL runs as its own user when we are root (bench.pg)
        sqlite = f"sqlite:///{work / 'notify.db'}"
        results.append(measure("SQLite", sqlite, work, args.deadlines, args.due, args.mails, args.repeat))
        pg_work = work / "pg-work"
        pg_work.mkdir()
        with postgres(pg_work, ("notify",)) as urls:
            results.append(measure("PostgreSQL", urls["notify"], work, args.deadlines, args.due, args.mails, args.repeat))
    report(results, args.deadlines)
    return results


if __name__ == "__main__":
    main()
