"""Dashboard statistics on the demo history (the 9 examples and ~300 cases played through the engine), on SQLite
and PostgreSQL: the interval table follows the history, and every figure agrees with an independent computation
from the exported event log (pandas, lifelines, workflows.calendar) to the second."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.authz import load_actor
from service.demo.history import play_history
from service.demo.seed import seed_demo
from service.persistence import migrate
from service.persistence.db import make_engine
from service.persistence.stats_tables import BUCKETS, INTERVALS
from service.stats import buckets, eventlog, intervals
from service.stats.answers import (
    Asking,
    expected_on,
    forecast_table,
    lead_time_table,
    open_case_table,
    throughput_table,
    time_in_state_table,
)
from service.stats.filters import Filters
from tests.builders import user
from tests.conftest import make_settings
from tests.stats import stats_reference as ref

NOW = int(datetime(2016, 12, 12, 8, 0, tzinfo=UTC).timestamp())  # the demo's today
SHARES = (0.5, 0.85, 0.95)


@pytest.fixture(scope="module")
def history(backend: str, empty_database_factory, tmp_path_factory) -> Iterator[Engine]:
    """A database of its own holding the demo register and its played history (the shared one has no history)."""
    engine = make_engine(make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("var")))
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session)
        play_history(session)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def events(history: Engine) -> pd.DataFrame:
    with history.connect() as connection:
        return ref.load("".join(eventlog.csv_lines(eventlog.events(connection))))


def ask(session: Session, username: str = "camilla.juhl", **filters: object) -> Asking:
    actor = load_actor(session, user(session, username), date(2016, 12, 12))
    return Asking(session, actor, Filters(**filters), NOW, date(2016, 12, 12))  # type: ignore[arg-type]


def test_the_history_is_rich_enough_to_mean_something(events: pd.DataFrame) -> None:
    per_case = events.groupby("case_id")
    assert per_case.ngroups > 250
    assert set(events["case_type"]) >= {"change_request", "charter", "lbf_submission", "strategic_agreement_change"}
    assert {"send_back", "postpone", "record_lbf_query", "withdraw", "vote"} <= set(events["activity"])
    assert events["timestamp"].min() < "2015-03" and events["timestamp"].max() > "2016-11"


def test_intervals_kept_by_the_engine_equal_a_rebuild_from_the_history(history: Engine) -> None:
    columns = [c for c in INTERVALS.c if c.name != "id"]
    with history.connect() as connection:
        kept = sorted(tuple(r) for r in connection.execute(select(*columns)))
        counted = sorted(tuple(r) for r in connection.execute(select(BUCKETS)))
        connection.rollback()
        transaction = connection.begin()
        intervals.rebuild(connection)
        assert sorted(tuple(r) for r in connection.execute(select(*columns))) == kept
        assert sorted(tuple(r) for r in connection.execute(select(BUCKETS))) == counted
        transaction.rollback()


@pytest.mark.parametrize("unit", ["days", "working_days"])
def test_lead_times_agree_with_kaplan_meier_from_the_event_log(history: Engine, events: pd.DataFrame, unit: str) -> None:
    reference = ref.cases(events, NOW)
    if unit == "working_days":
        pairs = zip(reference["opened"], reference["ended"], strict=True)
        reference["duration"] = [ref.working_days(a, b) for a, b in pairs]
    else:
        reference["duration"] = (reference["ended"] - reference["opened"]) / 86400
    with Session(history) as session:
        rows = {r["key"]: r for r in lead_time_table(ask(session), "case_type", unit)}
    assert set(rows) == set(reference["case_type"])
    for case_type, group in reference.groupby("case_type"):
        row = rows[case_type]
        assert (row["count"], row["open"]) == (len(group), int((~group["closed"]).sum()))
        expected = ref.km_quantiles(group["duration"], group["closed"], SHARES)
        for name, value in zip(("p50", "p85", "p95"), expected, strict=True):
            if value is None:
                assert row[name] is None
            else:
                assert abs(row[name] - value) * 86400 < 1, (case_type, name)  # to the second (or exactly, in days)


def test_time_in_state_agrees_with_pandas_to_the_second(history: Engine, events: pd.DataFrame) -> None:
    reference = ref.stays(events).groupby(["case_type", "state"])["seconds"]
    expected = pd.DataFrame(
        {
            "count": reference.count(),
            "mean": reference.mean(),
            "p50": reference.quantile(0.5),
            "p85": reference.quantile(0.85),
        }
    )
    with Session(history) as session:
        fast = time_in_state_table(ask(session))
        narrow = time_in_state_table(ask(session, "eva.holm"))  # a board member's cases: the SQL path
    assert len(fast) == len(expected)
    for row in fast:
        want = expected.loc[(row["case_type"], row["state"])]
        assert row["count"] == want["count"]
        for name in ("mean", "p50", "p85"):
            assert abs(row[name] * 86400 - want[name]) < 1, (row["case_type"], row["state"], name)
    assert 0 < sum(r["count"] for r in narrow) < sum(r["count"] for r in fast)


def test_throughput_and_open_cases_agree_with_the_event_log(history: Engine, events: pd.DataFrame) -> None:
    reference = ref.cases(events, NOW)
    arrivals = reference["opened"].map(ref.month).value_counts()
    completions = reference[reference["closed"]]["ended"].map(ref.month).value_counts()
    with Session(history) as session:
        months = {r["month"]: r for r in throughput_table(ask(session))}
        aging = open_case_table(ask(session), limit=5)
    for month, row in months.items():
        assert row["arrivals"] == arrivals.get(month, 0) and row["completions"] == completions.get(month, 0)
    assert sum(r["arrivals"] for r in months.values()) == len(reference)
    still_open = reference[~reference["closed"]]
    assert aging["total"] == len(still_open)
    oldest = still_open.sort_values("opened", kind="stable").head(5)
    assert [i["age_days"] * 86400 for i in aging["items"]] == pytest.approx(list(NOW - oldest["opened"]), abs=1)


def test_working_days_agree_with_the_deadline_calendar() -> None:
    from service.stats.workdays import working_days

    rng = np.random.default_rng(7)
    start = rng.integers(1420070400, 1546300800, 400)
    end = start + rng.integers(0, 86400 * 120, 400)
    expected = [ref.working_days(int(a), int(b)) for a, b in zip(start, end, strict=True)]
    assert working_days(start, end).tolist() == expected


def test_duration_buckets_cover_every_length_once() -> None:
    for seconds in [*range(0, 3000), *(10**k + j for k in range(3, 9) for j in range(-40, 40))]:
        low, high = buckets.bounds(buckets.bucket(seconds))
        assert low <= seconds < high
    assert all(buckets.bounds(b)[1] == buckets.bounds(b + 1)[0] for b in range(0, 300))


def test_event_log_exports_every_event(history: Engine, events: pd.DataFrame) -> None:
    import xml.etree.ElementTree as ET

    with history.connect() as connection:
        xes = "".join(eventlog.xes_lines(eventlog.events(connection)))
    log = ET.fromstring(xes)
    ns = {"x": "http://www.xes-standard.org/"}
    traces = log.findall("x:trace", ns)
    assert log.get("xes.version") == "1849-2016"
    assert len(traces) == events["case_id"].nunique()
    assert sum(len(t.findall("x:event", ns)) for t in traces) == len(events)
    first = traces[0].find("x:event", ns)
    assert first is not None and {e.get("key") for e in first} >= {"concept:name", "time:timestamp", "org:resource"}


def test_forecasts_agree_with_the_event_log_and_the_meeting_calendar(history: Engine, events: pd.DataFrame) -> None:
    from workflows.registry import WORKFLOWS

    agenda = {k: w.on_agenda for k, w in WORKFLOWS.items()}
    left = events[(events["from_state"] == events["case_type"].map(agenda)) & (events["from_state"] != events["to_state"])]
    actions = [WORKFLOWS[k].action(a) for k, a in zip(left["case_type"], left["activity"], strict=True)]
    decided = [a is not None and not (a.postpones or a.abandons) for a in actions]  # None: moved with the competence
    with Session(history) as session:
        found = forecast_table(ask(session))
        on_day = {r["date"]: r for r in found["meetings"]}
        first = found["meetings"][0]
        behind = expected_on(ask(session, board_id=first["board_id"]), date.fromisoformat(first["date"]))
    held = {r["case_type"]: r for r in found["held"]}
    assert sum(r["decided_at_meeting"] for r in held.values()) == sum(decided)
    assert sum(r["slipped"] for r in held.values()) == len(decided) - sum(decided)
    assert len(behind) == first["expected"] and all(day > "2016-12-12" for day in on_day)


def test_the_in_memory_snapshot_follows_new_events(backend: str, empty_database_factory, tmp_path_factory) -> None:
    from service.cases import apply_action, open_case
    from service.stats import snapshot
    from tests.builders import board_id

    engine = make_engine(make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("var")))
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session)
        clerk = load_actor(session, user(session, "camilla.juhl"), date(2016, 3, 1))
        moment = datetime(2016, 3, 1, 9, tzinfo=UTC)
        board = board_id(session, "BB-D1")
        case = open_case(
            session=session,
            actor=clerk,
            case_type="charter",
            title="Kommissorium",
            board_id=board,
            data={"decision_rule": "unanimity"},
            now=moment,
        )
        case_id = case.id or 0
        before = snapshot.current(session.connection())
        session.commit()
        assert before.columns["present"][case_id]
        apply_action(
            session=session,
            actor=clerk,
            case_id=case_id,
            action="submit_to_central_board",
            expected_version=1,
            now=moment.replace(day=2),
        )
        after = snapshot.current(session.connection())
        reloaded = snapshot._load(session.connection(), after.last_event, after.cases)
        intervals.forget(session.connection(), [case_id])  # a deleted case leaves no stays or bucket counts behind
        assert session.connection().execute(select(BUCKETS)).all() == []
    assert after is not before and snapshot.STATES[after.columns["state"][case_id]] == "submitted_to_central_board"
    assert before.columns["state"][case_id] == snapshot.STATES.index("draft")  # the old snapshot is left whole
    for name, values in reloaded.columns.items():
        assert (after.columns[name][: reloaded.size] == values).all(), name
    engine.dispose()
