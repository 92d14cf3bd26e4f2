"""Forecasts on the demo history, on SQLite and PostgreSQL: how far past forecasts slipped (kept in the transaction
of each decision) agrees with pandas over `case_events` and the meeting calendar; the dashboard expects every open
case when its case page does (the chain through the central board and LBF's observed median reply time, which
agrees with the event log)."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.authz import load_actor
from service.cases import situation, take
from service.cases.expected import expected_decision
from service.config import Settings
from service.demo.history import play_history
from service.demo.seed import seed_demo
from service.forecasting.chain import known
from service.main import create_app
from service.persistence import migrate
from service.persistence.case_tables import CASE_EVENTS, CASES, Case
from service.persistence.db import make_engine
from service.persistence.stats_tables import SLIPS
from service.persistence.tables import Meeting
from service.stats import answers, eventlog, intervals, slips
from service.stats.answers import Asking, forecast_table, lbf_expected_in
from service.stats.filters import Filters
from tests.builders import rolled_back, user
from tests.conftest import make_settings
from tests.stats import stats_reference as ref
from workflows import calendar
from workflows.registry import WORKFLOWS
from workflows.spec import Wait

TODAY = date(2016, 12, 12)
NOW = int(datetime(2016, 12, 12, 8, 0, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def settings(backend: str, empty_database_factory, tmp_path_factory) -> Settings:
    return make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("var"))


@pytest.fixture(scope="module")
def history(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session)
        play_history(session)
    yield engine
    engine.dispose()


def ask(session: Session, today: date = TODAY, **filters: object) -> Asking:
    actor = load_actor(session, user(session, "camilla.juhl"), TODAY)
    return Asking(session, actor, Filters(**filters), NOW, today)  # type: ignore[arg-type]


def reference_slips(engine: Engine) -> pd.DataFrame:
    """Each forecast (an event putting a case on a meeting's agenda) joined to the first decision after it, in pandas."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(CASE_EVENTS.c.case_id, CASE_EVENTS.c.seq, CASES.c.case_type, CASE_EVENTS.c.action)
            .add_columns(CASE_EVENTS.c.from_state, CASE_EVENTS.c.to_state, CASE_EVENTS.c.data)
            .join(CASES, CASES.c.id == CASE_EVENTS.c.case_id)
        ).all()
        meetings = dict(connection.execute(select(Meeting.__table__.c.id, Meeting.__table__.c.starts_at)).all())  # type: ignore[attr-defined]
    events = pd.DataFrame(rows, columns=["case_id", "seq", "case_type", "action", "from_state", "to_state", "data"])
    agenda = events["case_type"].map({k: w.on_agenda for k, w in WORKFLOWS.items()})
    events["meeting"] = [
        intervals.aware(meetings[d["meeting_id"]]).astimezone(calendar.LOCAL).date() if d.get("meeting_id") else None
        for d in events["data"]
    ]
    named = events[(events["to_state"] == agenda) & events["meeting"].notna()].sort_values(["case_id", "seq"])
    # A forecast: put on an agenda, or moved to another meeting (votes cast at the meeting name it too).
    moved = named["meeting"] != named.groupby("case_id")["meeting"].shift()
    entries = named[(named["from_state"] != agenda[named.index]) | moved].copy()
    leaving = events[(events["from_state"] == agenda) & (events["to_state"] != agenda)]
    spec = [WORKFLOWS[k].action(a) for k, a in zip(leaving["case_type"], leaving["action"], strict=True)]
    decisions = leaving[[a is not None and not (a.postpones or a.abandons) for a in spec]][["case_id", "seq"]]
    # The meeting that decided: the last agenda entry before the decision.
    decisions = pd.merge_asof(
        decisions.sort_values("seq"), entries[["case_id", "seq", "meeting"]].sort_values("seq"), on="seq", by="case_id"
    ).rename(columns={"meeting": "decided_at", "seq": "decision_seq"})
    forecasts = pd.merge_asof(
        entries.sort_values("seq"),
        decisions.sort_values("decision_seq"),
        left_on="seq",
        right_on="decision_seq",
        by="case_id",
        direction="forward",
    ).dropna(subset=["decided_at"])
    forecasts["days"] = [(d - m).days for d, m in zip(forecasts["decided_at"], forecasts["meeting"], strict=True)]
    return forecasts


def test_slips_agree_with_pandas_over_the_history(history: Engine) -> None:
    expected = reference_slips(history)
    assert len(expected) > 50 and (expected["days"] > 0).any() and (expected["days"] == 0).any()
    with Session(history) as session:
        found = {r["case_type"]: r for r in forecast_table(ask(session))["held"]}
    for case_type, group in expected.groupby("case_type"):
        row = found[case_type]
        assert row["resolved"] == len(group), case_type
        assert row["held"] == int((group["days"] == 0).sum())
        assert row["held"] == row["decided_at_meeting"]  # each decision holds its own meeting's forecast
        assert row["slip_mean"] == pytest.approx(group["days"].mean())
        assert row["slip_max"] == group["days"].max()
        assert row["slip_p50"] == sorted(group["days"])[int(0.5 * (len(group) - 1))]


def test_slips_kept_by_the_engine_equal_a_recount_from_the_history(history: Engine) -> None:
    with history.begin() as connection:
        kept = sorted(connection.execute(select(SLIPS)).all())
        slips.rebuild(connection)
        assert sorted(connection.execute(select(SLIPS)).all()) == kept


def test_lbf_answers_come_in_the_median_reply_time_seen_in_the_event_log(history: Engine) -> None:
    """The reply time is the median of LBF's answers in the exported event log (pandas); a case waiting for LBF
    expects its answer that long after it was sent, or from today on once that day has passed."""
    with history.connect() as connection:
        events = ref.load("".join(eventlog.csv_lines(eventlog.events(connection))))
    waits_lbf = {(k, s.name) for k, w in WORKFLOWS.items() for s in w.states if s.wait == Wait.lbf}
    stays = ref.stays(events)
    replies = stays[[(k, s) in waits_lbf for k, s in zip(stays["case_type"], stays["state"], strict=True)]]
    median = round((replies["seconds"] // 86400).median())
    changes = events[events["from_state"].isna() | (events["from_state"] != events["to_state"])]
    sent = changes.groupby("case_id")["t"].last().map(ref.day)
    with Session(history) as session:
        asked = ask(session)
        found = answers.chains(asked)
        table = forecast_table(asked)
        behind = {m["month"]: lbf_expected_in(asked, m["month"]) for m in table["lbf"]}
    assert (table["lbf_reply_days"], table["lbf_replies_seen"]) == (median, len(replies)) and len(replies) >= 5
    assert median != 30  # observed, not the declared deadline: the demo's LBF answers in about a month, one in ten later
    waiting = found.where(found.at_lbf)
    assert len(waiting.ids) and waiting.overdue.any() and (~waiting.overdue).any()
    for case_id, on, overdue in zip(waiting.ids.tolist(), waiting.on.tolist(), waiting.overdue.tolist(), strict=True):
        planned = calendar.add_calendar_days(sent[case_id], median)
        if overdue:
            assert planned < TODAY < on
        else:
            assert on == planned
    assert sum(m["expected"] for m in table["lbf"]) == int(found.lbf.sum())
    assert all(len(behind[m["month"]]) == m["expected"] for m in table["lbf"])


def case_pages(client: TestClient, headers: dict[str, str], ids: list[int]) -> dict[int, dict[str, Any]]:
    return {i: client.get(f"/api/v1/cases/{i}", headers=headers).json() for i in ids}


def test_the_dashboard_expects_every_open_case_when_its_case_page_does(settings: Settings, history: Engine) -> None:
    """Over HTTP, with the demo's clock: each open case's expected decision in the dashboard's open-case table
    equals `expected_decision_date` of `GET /cases/{id}`, and the forecast's months count those dates."""
    with TestClient(create_app(settings)) as client:
        token = client.post("/api/v1/auth/token", data={"username": "camilla.juhl", "password": "demo"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        listed = client.get("/api/v1/stats/open-cases", params={"limit": 1000}, headers=headers).json()
        months = client.get("/api/v1/stats/forecasts", headers=headers).json()["decisions"]
        pages = case_pages(client, headers, [i["case_id"] for i in listed["items"]])
    assert len(listed["items"]) == listed["total"] > 40
    for item in listed["items"]:
        assert item["expected_decision_date"] == pages[item["case_id"]]["expected_decision_date"], item
    steps = [[s["kind"] for s in p["expected_decision"]["steps"]] for p in pages.values() if p["expected_decision"]]
    overdue = [p for p in pages.values() if p["expected_decision"] and p["expected_decision"]["overdue_since"]]
    assert ["lbf"] in steps and any("information" in s and "lbf" in s for s in steps), steps
    assert overdue and all(p["expected_decision"]["steps"][-1]["kind"] == "lbf" for p in overdue)
    dates = pd.Series([p["expected_decision_date"] for p in pages.values() if p["expected_decision_date"]])
    per_month = dates.str[:7].value_counts().sort_index()
    assert [(m["month"], m["expected"]) for m in months] == list(per_month.items())


def test_cases_on_an_agenda_and_overdue_steps_are_expected_alike(history: Engine) -> None:
    """Put cases on a meeting's agenda and into written procedure (rolled back), then ask on the demo's today and on
    days after the meeting and the written deadline passed: the dashboard and the case's own forecast agree."""
    with rolled_back(history) as session:
        clerk = load_actor(session, user(session, "camilla.juhl"), TODAY)
        ready = session.scalars(
            select(Case).where(Case.is_open, Case.case_type == "change_request", Case.state == "ready_for_decision")
        ).all()
        assert len(ready) >= 2
        waiting = select(Case.id).where(Case.is_open, Case.case_type == "change_request", Case.state == "scheduled")
        on_agenda_before = set(session.scalars(waiting))  # the demo's own: the ninth example, in written procedure
        moment = datetime(2016, 12, 12, 9, tzinfo=UTC)
        meetings = Meeting.__table__  # type: ignore[attr-defined]
        first = (
            session.connection()
            .execute(
                select(meetings.c.id, meetings.c.starts_at)
                .where(meetings.c.board_id == ready[0].deciding_board_id, meetings.c.starts_at > moment)
                .order_by(meetings.c.starts_at)
            )
            .first()
        )
        assert first is not None
        take(session, clerk, ready[0].id or 0, "schedule", ready[0].version, data={"meeting_id": first[0]}, now=moment)
        take(session, clerk, ready[1].id or 0, "schedule", ready[1].version, data={"written_procedure": True}, now=moment)
        meeting_day = intervals.aware(first[1]).astimezone(calendar.LOCAL).date()
        for today in (TODAY, TODAY + timedelta(days=10), meeting_day, meeting_day + timedelta(days=3)):
            asked = ask(session, today)
            dashboard = answers.expected_decisions(asked)
            k = known(session, today)
            rows = session.connection().execute(select(CASES).where(CASES.c.is_open)).all()
            for case in (Case(**row._mapping) for row in rows):  # as stored now (not the session's loaded objects)
                found = expected_decision(session, situation(session, case, asked.actor), today, k)
                assert dashboard.get(case.id or 0) == (found.on.isoformat() if found else None), (today, case.id)
            on_agenda = {i: dashboard[i] for i in (ready[0].id or 0, ready[1].id or 0)}
            assert all(day >= today.isoformat() for day in on_agenda.values())
        chains = answers.chains(ask(session, meeting_day + timedelta(days=3)))
        late = chains.overdue & chains.board
        assert set(chains.ids[late].tolist()) - on_agenda_before == {ready[0].id, ready[1].id}


def test_the_history_ends_at_the_demos_today_with_every_open_case_on_a_running_grant(history: Engine) -> None:
    """The demo's business clock reads 12 December 2016: nothing happened after it, and what is open can go on."""
    from service.persistence.db import demo_clock
    from service.persistence.tables import Plan

    plans = Plan.__table__  # type: ignore[attr-defined]
    with Session(history) as session:
        today = demo_clock(session).now()
        connection = session.connection()
        last = connection.execute(select(func.max(CASE_EVENTS.c.at))).scalar_one()
        grants = connection.execute(
            select(plans.c.code, plans.c.period_start, plans.c.period_end)
            .join(CASES, CASES.c.plan_id == plans.c.id)
            .where(CASES.c.is_open)
            .distinct()
        ).all()
    assert intervals.aware(last) <= today and today.astimezone(calendar.LOCAL).date() >= TODAY
    assert grants and all(start <= TODAY <= end for _, start, end in grants), grants
