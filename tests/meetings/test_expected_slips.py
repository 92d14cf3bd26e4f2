"""The expected decision date on a demo database at three moments: a moved meeting moves it and the slip is kept in
the case's history, an overdue LBF answer is never expected in the past, a postponed case and a case not ready by
the cut-off keep the meeting they missed. The tests run in order on one database."""

from datetime import date, datetime
from statistics import median

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from service.forecasting import lbf
from service.forecasting.slip_events import record_missed_cutoffs
from service.persistence.case_tables import CASE_EVENTS
from service.persistence.tables import Board
from service.stats.intervals import aware
from tests.meetings.conftest import World
from tests.meetings.test_agenda import _act, _meeting, _open, _plan
from tests.service.test_sessions import ui_login
from workflows.calendar import LOCAL, add_calendar_days

MOVES = [
    {
        "from_area": "KP",
        "from_year": 2017,
        "from_funder": "LBF",
        "to_area": "FF",
        "to_year": 2017,
        "to_funder": "LBF",
        "amount_dkk": 50_000,
    }
]


def _case(world: World, case: dict, when: str = "before") -> dict:
    return world.call(when, "GET", f"/cases/{case['id']}")


def _slips(world: World, case: dict) -> list[dict]:
    return [e for e in world.call("before", "GET", f"/cases/{case['id']}/events") if e["action"] == "forecast_slipped"]


def _move(world: World, meeting_id: int, starts_at: str) -> dict:
    version = world.call("before", "GET", f"/meetings/{meeting_id}")["version"]
    body = {"expected_version": version, "starts_at": starts_at}
    return world.call("before", "PATCH", f"/meetings/{meeting_id}", json=body)


def test_moving_a_meeting_moves_the_expected_date_and_keeps_the_slip_in_history(world: World) -> None:
    ready = _open(world, "HP-10", "change_request", {"kind": "content", "change_description": "Klar"}, "Klar til møde")
    placed = _open(world, "HP-10", "change_request", {"kind": "content", "change_description": "Sat på"}, "På dagsorden")
    meeting = _meeting(world, "BB-D5", "2017-03-15")
    world.call("before", "POST", f"/meetings/{meeting['id']}/agenda", json={"case_id": placed["id"]}, status=201)
    assert _case(world, ready)["expected_decision_date"] == _case(world, placed)["expected_decision_date"] == "2017-03-15"
    version = _case(world, placed)["version"]

    _move(world, meeting["id"], "2017-03-29T14:00:00+02:00")
    for case in (ready, placed):
        shown = _case(world, case)
        assert shown["expected_decision_date"] == "2017-03-29"
        (slip,) = _slips(world, case)
        assert slip["comment"] == "Mødet 15. marts 2017 blev flyttet til 29. marts 2017: +2 uger"
        assert slip["from_state"] == slip["to_state"] == shown["state"]
        (kept,) = shown["expected_decision"]["slips"]
        assert kept["reason"] == "moved" and kept["days"] == 14 and kept["meeting_on"] == "2017-03-15"
        assert kept["text_en"] == "The meeting on 15 March 2017 was moved to 29 March 2017: +2 weeks"
        assert shown["expected_decision"]["chain_da"] == "Bydelsbestyrelse Brønshøj/Husum/Tingbjerg 29. mar. 2017"
    assert _case(world, placed)["version"] == version + 1  # the slip is an event of the case

    _move(world, meeting["id"], "2017-03-15T14:00:00+01:00")  # back again: earlier is no slip
    assert _case(world, placed)["expected_decision_date"] == "2017-03-15"
    assert len(_slips(world, placed)) == 1


def test_an_overdue_lbf_answer_is_expected_from_today_on_and_says_it_is_overdue(world: World) -> None:
    data = {"kind": "economic", "change_description": "KP til FF", "budget_moves": MOVES}
    case = _open(world, "HP-10", "change_request", data, "Venter på LBF")
    _act(world, case, "schedule", data={"written_procedure": True})
    for user, org in (("eva.holm", "FSB"), ("bo.iversen", "AAB")):
        _act(world, case, "vote", user=user, data={"organisation": org, "vote": "approve"})
    _act(world, case, "approve")
    _act(world, case, "send_to_lbf")  # 13 February 2017: LBF's 30 days end on 15 March
    before = _case(world, case)["expected_decision"]
    assert before["on"] == "2017-03-15" and before["overdue_since"] is None
    assert [s["kind"] for s in before["steps"]] == ["lbf"] and before["chain_da"] == "LBF ca. 15. mar. 2017"

    after = _case(world, case, "after")  # 23 March 2017: no answer yet
    assert after["expected_decision_date"] >= "2017-03-23"
    assert after["expected_decision"]["overdue_since"] == "2017-03-15"
    (step,) = after["expected_decision"]["steps"]
    assert step["overdue"] and step["planned"] == "2017-03-15" and step["on"] == after["expected_decision_date"]
    with TestClient(world.clients["after"].app) as browser:  # the case page says so beside the date
        ui_login(browser, "sara.bech")
        page = browser.get(f"/sager/{case['id']}").text
    assert '<span class="tag warn">Forsinket siden 15. marts 2017</span>' in page


def test_a_case_taken_off_a_held_meeting_keeps_the_meeting_it_missed(world: World) -> None:
    case = _open(world, "HP-10", "change_request", {"kind": "content", "change_description": "Udsat"}, "Udsættes")
    meeting = _meeting(world, "BB-D5", "2017-03-15")
    world.call("before", "POST", f"/meetings/{meeting['id']}/agenda", json={"case_id": case["id"]}, status=201)
    version = _case(world, case, "after")["version"]
    body = {"expected_version": version, "comment": "Nåede ikke at blive behandlet"}
    world.call("after", "POST", f"/cases/{case['id']}/actions/postpone", json=body)

    shown = _case(world, case, "after")
    assert shown["version"] == version + 1  # the slip rides on the postponement's own event
    assert shown["expected_decision_date"] == "2017-06-14"
    (slip,) = shown["expected_decision"]["slips"]
    assert slip["text_da"] == "Nåede ikke mødet 15. marts 2017: +13 uger"
    postponed = [e for e in world.call("after", "GET", f"/cases/{case['id']}/events") if e["action"] == "postpone"]
    assert postponed[-1]["data"]["slip"]["expected"] == "2017-06-14"


def test_a_case_not_ready_by_the_cutoff_slips_once(world: World) -> None:
    body = {"case_type": "change_request", "plan_id": _plan(world, "HP-10"), "title": "Kladde", "data": {"kind": "content"}}
    draft = world.call("before", "POST", "/cases", json=body, status=201)
    assert _case(world, draft)["expected_decision_date"] == "2017-03-15"
    day_after_cutoff = datetime(2017, 3, 2, 6, 15, tzinfo=LOCAL)
    with Session(world.engine) as session:
        assert record_missed_cutoffs(session, day_after_cutoff) >= 1
        session.commit()
    with Session(world.engine) as session:
        assert record_missed_cutoffs(session, day_after_cutoff) == 0  # each case and meeting once
        session.commit()
    (slip,) = _slips(world, draft)
    assert slip["comment"] == "Nåede ikke mødet 15. marts 2017: +13 uger"
    assert slip["data"]["was"] == "2017-03-15" and slip["data"]["expected"] == "2017-06-14"
    assert _case(world, draft, "after")["expected_decision_date"] == "2017-06-14"


def _sent_to_lbf(world: World, title: str) -> dict:
    data = {"kind": "economic", "change_description": title, "budget_moves": MOVES}
    case = _open(world, "HP-10", "change_request", data, title)
    _act(world, case, "schedule", data={"written_procedure": True})
    for user, org in (("eva.holm", "FSB"), ("bo.iversen", "AAB")):
        _act(world, case, "vote", user=user, data={"organisation": org, "vote": "approve"})
    _act(world, case, "approve")
    return _act(world, case, "send_to_lbf")


def test_lbfs_observed_median_reply_time_replaces_the_default_once_it_has_replied_often_enough(world: World) -> None:
    waiting = _sent_to_lbf(world, "Venter stadig")
    assert _case(world, waiting)["expected_decision_date"] == "2017-03-15"  # few replies seen yet: 30 days
    for n in range(lbf.MIN_REPLIES):
        case = _sent_to_lbf(world, f"Besvaret {n}")
        version = _case(world, case, "after")["version"]
        body = {"expected_version": version, "data": {"lbf_reference": f"LBF 2017-{n}"}}
        world.call("after", "POST", f"/cases/{case['id']}/actions/record_lbf_approval", json=body)
    with Session(world.engine) as session:  # every answer LBF gave, read from the history itself
        events = session.connection().execute(
            select(CASE_EVENTS.c.case_id, CASE_EVENTS.c.action, CASE_EVENTS.c.at).order_by(CASE_EVENTS.c.seq)
        )
        sent: dict[int, datetime] = {}
        took = []
        for case_id, action, at in events:
            if action == "send_to_lbf":
                sent[case_id] = aware(at)
            elif action in ("record_lbf_approval", "record_lbf_rejection", "record_lbf_query") and case_id in sent:
                took.append((aware(at) - sent.pop(case_id)).days)
    assert len(took) >= lbf.MIN_REPLIES
    typical = round(median(took))
    assert typical != lbf.DEFAULT_DAYS
    expected = add_calendar_days(date(2017, 2, 13), typical)
    assert _case(world, waiting)["expected_decision_date"] == expected.isoformat()


def test_a_charter_on_the_central_boards_agenda_is_expected_at_that_meeting(world: World) -> None:
    """A charter's agenda collects no votes, so no round names its meeting: the scheduling event does."""
    with Session(world.engine) as session:
        district = session.execute(select(Board.id).where(Board.code == "BB-D2")).scalar_one()
    body = {"case_type": "charter", "board_id": district, "title": "Kommissorium", "data": {"decision_rule": "unanimity"}}
    case = world.call("before", "POST", "/cases", user="camilla.juhl", json=body, status=201)
    _act(world, case, "submit_to_central_board", user="camilla.juhl")
    meeting = _meeting(world, "CENTRAL", "2017-05-18")
    _act(world, case, "schedule", user="camilla.juhl", data={"meeting_id": meeting["id"]})
    shown = _case(world, case)
    (board, lbf) = shown["expected_decision"]["steps"]
    assert board["kind"] == "meeting" and board["on"] == "2017-05-18"  # not written procedure from today
    assert lbf["kind"] == "lbf" and shown["expected_decision_date"] == lbf["on"] > "2017-05-18"
