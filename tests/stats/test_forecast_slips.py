"""Forecasts on the demo history, on SQLite and PostgreSQL: how far past forecasts slipped (kept in the transaction
of each decision) agrees with pandas over `case_events` and the meeting calendar, and LBF's 30-day reply time is
chained onto the expected decisions."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.authz import load_actor
from service.demo.history import play_history
from service.demo.seed import seed_demo
from service.persistence import migrate
from service.persistence.case_tables import CASE_EVENTS, CASES
from service.persistence.db import make_engine
from service.persistence.stats_tables import SLIPS
from service.persistence.tables import Meeting
from service.stats import forecast, intervals, slips, snapshot
from service.stats.answers import Asking, forecast_table, lbf_expected_in
from service.stats.filters import Filters
from tests.builders import user
from tests.conftest import make_settings
from workflows import calendar
from workflows.registry import WORKFLOWS

TODAY = date(2016, 12, 12)
NOW = int(datetime(2016, 12, 12, 8, 0, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def history(backend: str, empty_database_factory, tmp_path_factory) -> Iterator[Engine]:
    engine = make_engine(make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("var")))
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session)
        play_history(session)
    yield engine
    engine.dispose()


def ask(session: Session, **filters: object) -> Asking:
    actor = load_actor(session, user(session, "camilla.juhl"), TODAY)
    return Asking(session, actor, Filters(**filters), NOW, TODAY)  # type: ignore[arg-type]


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


def test_lbf_reply_time_is_chained_onto_the_forecast(history: Engine) -> None:
    with Session(history) as session:
        asked = ask(session)
        current = asked.current
        keep = snapshot.select_cases(current, Filters(), None) & (current.columns["wait"] != snapshot.DONE)
        meetings = forecast.meeting_days(session.connection())
        ids, days, chained = forecast.lbf_answers(current, keep, meetings, TODAY)
        decided_ids, decided_on = forecast.expected(current, keep, meetings, TODAY)
        months = forecast_table(asked)["lbf"]
        behind = {m["month"]: lbf_expected_in(asked, m["month"]) for m in months}
    assert chained.any() and (~chained).any()
    on = dict(zip(decided_ids.tolist(), decided_on.tolist(), strict=True))
    for case_id, day, after in zip(ids.tolist(), days.tolist(), chained.tolist(), strict=True):
        if after:  # the meeting's day plus 30 days, on a working day
            assert day == calendar.add_calendar_days(on[case_id], 30)
        else:  # sent to LBF plus 30 days, or today when that has passed
            sent = datetime.fromtimestamp(int(current.columns["entered"][case_id]), calendar.LOCAL).date()
            assert day == calendar.next_working_day(max(sent + timedelta(days=30), TODAY))
    assert sum(m["expected"] for m in months) == len(ids)
    assert all(len(behind[m["month"]]) == m["expected"] for m in months)


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
