"""Faults that must lose nothing, with a real Celery worker process, a real Redis and a real SMTP server.

- the worker is killed (SIGKILL) in the middle of a batch of reminders: after a restart every reminder is
  delivered, none twice;
- the SMTP server is down for a while: mails are retried and delivered after it returns, none lost or doubled;
- Redis is stopped: the API still accepts actions (outbox rows wait); once Redis is back the notifications flow.
"""

import signal
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select, update

from service.config import Settings
from service.main import create_app
from service.persistence.case_tables import Case, OutboxMessage
from service.persistence.notify_tables import Mail, Notice
from service.persistence.tables import Organisation, OrganisationKind, User
from tests.builders import open_, play
from tests.smtp_sink import Sink, smtp_sink
from tests.workers.processes import redis_server, send, wait_until, worker_env, worker_process

LEADER = "sara.norgaard"
CONTENT = {"kind": "content", "change_description": "Lektiecafé i stedet for ungdomsklub"}
SUBMITTED = datetime(2016, 4, 4, 8, 0, tzinfo=UTC)
RUNG_DAY = "2016-04-11T08:00:00+00:00"  # a Monday, 10:00 in Copenhagen: the screening deadlines' 7-day rung


def submitted_cases(engine: Engine, count: int) -> list[int]:
    with Session(engine) as session:
        ids = []
        for _ in range(count):
            case = open_(session, "change_request", by=LEADER, data=CONTENT, now=SUBMITTED)
            ids.append(play(session, case, [(LEADER, "submit", None)], now=SUBMITTED).id)
        return ids


def secretariat_wants_mails_at_once(engine: Engine) -> None:
    """So every reminder is a mail of its own (the default daily digest would hold them to the morning)."""
    with Session(engine) as session:
        secretariat = select(Organisation.id).where(Organisation.kind == OrganisationKind.secretariat)
        session.exec(update(User).where(col(User.organisation_id).in_(secretariat)).values(daily_digest=False))  # type: ignore[call-overload]
        session.commit()


def mails_of(engine: Engine, case_ids: list[int]) -> list[Mail]:
    with Session(engine) as session:
        notices = select(Notice.mail_id).where(col(Notice.case_id).in_(case_ids))
        return list(session.exec(select(Mail).where(col(Mail.id).in_(notices))))


def test_a_worker_killed_mid_batch_loses_no_reminder_and_sends_none_twice(
    own_engine: Engine, own_settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    secretariat_wants_mails_at_once(own_engine)
    cases = submitted_cases(own_engine, 5)
    broker = redis_url.rsplit("/", 1)[0] + "/5"
    sink = Sink()
    sink.slow = 0.3  # a slow relay: the batch takes a few seconds
    with smtp_sink(sink) as (sink, port):
        env = worker_env(own_settings, broker=broker, smtp_port=port, clock_start=RUNG_DAY, var=tmp_path)
        with worker_process(env, tmp_path / "worker-1.log") as worker:
            send(broker, "notify.sweep_deadlines")
            wait_until(lambda: len(sink.received) >= 3 and sink.waiting.is_set(), timeout=60, every=0.01)
            worker.send_signal(signal.SIGKILL)  # while the relay waits on the next mail's recipient
            worker.wait(timeout=10)
        delivered_before = len(sink.received)
        total = len(mails_of(own_engine, cases))
        # Per case, 4 secretariat people hear of the submission and get the 7-day reminder; the batch was cut.
        assert total == 5 * 4 * 2 and delivered_before < total
        with worker_process(env, tmp_path / "worker-2.log"):
            sink.slow = 0.0
            wait_until(lambda: send(broker, "notify.pump") or len(sink.received) >= total, timeout=90, every=1.0)
    mails = mails_of(own_engine, cases)
    assert len(sink.ids()) == len(set(sink.ids())) == total  # every reminder, none twice
    assert set(sink.ids()) == {m.message_id for m in mails} and all(m.sent_at for m in mails)


def test_mails_wait_through_an_smtp_outage_and_go_once_it_is_back(
    own_engine: Engine, own_settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    secretariat_wants_mails_at_once(own_engine)
    broker = redis_url.rsplit("/", 1)[0] + "/6"
    with smtp_sink() as (_, port):
        pass  # the port is known and now nothing listens on it: the relay is down
    env = worker_env(own_settings, broker=broker, smtp_port=port, clock_start=RUNG_DAY, var=tmp_path)
    cases = submitted_cases(own_engine, 2)
    with worker_process(env, tmp_path / "worker.log"):
        send(broker, "notify.sweep_deadlines")
        # Every mail (the submission notices and the reminders the sweep writes a moment later) has failed once.
        wait_until(lambda: len([m for m in mails_of(own_engine, cases) if m.last_error]) == 2 * 4 * 2)
        failed = {m.message_id for m in mails_of(own_engine, cases) if m.last_error}
        with smtp_sink(port=port) as (sink, _):
            wait_until(lambda: send(broker, "notify.pump") or failed <= set(sink.ids()), every=1.0)
            send(broker, "notify.pump")
            send(broker, "notify.sweep_deadlines")  # a tick too many changes nothing
            wait_until(lambda: all(m.sent_at for m in mails_of(own_engine, cases)), every=0.5)
    mails = mails_of(own_engine, cases)
    # Per case, 4 secretariat people hear of the submission and get the 7-day reminder: each mail once.
    assert sorted(sink.ids()) == sorted(m.message_id for m in mails) and len(mails) == 2 * 4 * 2
    assert len(failed) == len(mails) and all(m.attempts >= 2 for m in mails)  # each failed once, then went


def test_actions_are_accepted_while_redis_is_down_and_notify_once_it_is_back(
    own_engine: Engine, own_settings: Settings, tmp_path: Path
) -> None:
    secretariat_wants_mails_at_once(own_engine)
    with smtp_sink() as (sink, smtp_port), redis_server() as (broker, redis):
        env = worker_env(own_settings, broker=broker, smtp_port=smtp_port, clock_start=RUNG_DAY, var=tmp_path)
        port = int(broker.rsplit(":", 1)[1].split("/")[0])
        with worker_process(env, tmp_path / "worker.log"):
            redis.terminate()
            redis.wait(timeout=10)
            app = create_app(own_settings.model_copy(update={"broker_url": broker, "demo": True}))
            with TestClient(app) as client:
                token = client.post("/api/v1/auth/token", data={"username": LEADER, "password": "demo"}).json()
                headers = {"Authorization": f"Bearer {token['access_token']}"}
                ready = client.get("/readyz").json()
                assert ready["checks"]["broker"]["ok"] is False
                case_id = new_submitted_case(client, headers)
            with Session(own_engine) as session:
                waiting = session.exec(select(OutboxMessage).where(OutboxMessage.case_id == case_id)).all()
                assert waiting and all(row.sent_at is None for row in waiting)  # kept, waiting for the relay
            with redis_server(port):
                wait_until(lambda: send(broker, "notify.pump") or len(sink.received) >= 4, timeout=90, every=1.0)
    with Session(own_engine) as session:
        reference = session.get(Case, case_id).reference  # type: ignore[union-attr]
    assert {m["Subject"] for m in sink.received} and all(reference in m["Subject"] for m in sink.received)


def new_submitted_case(client: TestClient, headers: dict[str, str]) -> int:
    plans = client.get("/api/v1/plans", headers=headers).json()
    plan = next(p for p in plans if p["code"] == "HP-10")
    created = client.post(
        "/api/v1/cases",
        json={"case_type": "change_request", "plan_id": plan["id"], "title": "Under Redis-nedbrud", "data": CONTENT},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    case = created.json()
    submit = client.post(
        f"/api/v1/cases/{case['id']}/actions/submit", json={"expected_version": case["version"]}, headers=headers
    )
    assert submit.status_code == 200, submit.text
    return int(case["id"])
