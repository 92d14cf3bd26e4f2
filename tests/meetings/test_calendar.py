"""The meeting calendar (create, move, cancel), who may manage it, the iCalendar feeds, and bad input refused."""

import threading
from concurrent.futures import ThreadPoolExecutor

from icalendar import Calendar
from sqlmodel import Session, select

from service.persistence.tables import Board
from tests.meetings.conftest import S, World


def _board(world: World, code: str) -> int:
    with Session(world.engine) as session:
        found = session.exec(select(Board.id).where(Board.code == code)).one()
    assert found is not None
    return found


def test_the_secretariat_plans_moves_and_cancels_a_meeting_which_is_kept(world: World) -> None:
    board = _board(world, "BB-D2")
    body = {"board_id": board, "starts_at": "2017-10-10T16:00:00+02:00", "location": "Rådhuset"}
    created = world.call("before", "POST", "/meetings", json=body, status=201)
    assert created["status"] == "planned" and created["version"] == 1 and created["day"] == "2017-10-10"
    world.call("before", "POST", "/meetings", json=body, user="eva.holm", status=403)  # a board member: no
    past = world.call("before", "POST", "/meetings", json=body | {"starts_at": "2016-10-10T16:00:00+02:00"}, status=422)
    assert "past" in past["detail"]
    world.call("before", "POST", "/meetings", json=body | {"board_id": 999999}, status=422)
    world.call("before", "POST", "/meetings", json=body | {"starts_at": "2017-10-10T16:00:00"}, status=422)  # no zone
    path = f"/meetings/{created['id']}"
    moved = world.call("before", "PATCH", path, json={"expected_version": 1, "location": "Bispebjerg"})
    assert moved["version"] == 2 and moved["location"] == "Bispebjerg"
    world.call("before", "DELETE", path, params={"expected_version": 1}, status=409)
    cancelled = world.call("before", "DELETE", path, params={"expected_version": 2})
    assert cancelled["status"] == "cancelled"
    assert world.call("before", "GET", path)["status"] == "cancelled"
    again = world.call("before", "PATCH", path, json={"expected_version": 3, "location": "X"}, status=409)
    assert "cancelled" in again["detail"]
    danish = world.call("before", "PATCH", path, json={"expected_version": 3}, headers={"Accept-Language": "da"}, status=409)
    assert "aflyst" in danish["detail"]


def test_a_board_calendar_is_valid_icalendar_with_cancelled_meetings_marked(world: World) -> None:
    board = _board(world, "BB-D3")
    created = world.call(
        "before", "POST", "/meetings", json={"board_id": board, "starts_at": "2017-08-01T14:00:00+02:00"}, status=201
    )
    world.call("before", "DELETE", f"/meetings/{created['id']}", params={"expected_version": 1})
    feed = world.call("before", "GET", f"/calendar/{board}.ics")
    assert feed.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert len(events) >= 9  # the demo's eight BB-D3 meetings and this one
    mine = next(e for uid, e in events.items() if uid.startswith(f"meeting-{created['id']}@"))
    assert str(mine["status"]) == "CANCELLED" and int(mine["sequence"]) == 1
    world.call("before", "GET", "/calendar/999999.ics", status=404)


def test_my_calendar_by_personal_link_without_logging_in(world: World) -> None:
    url = world.call("before", "GET", "/calendar/me", user="eva.holm")["url"]
    token = url.split("token=")[1]
    feed = world.clients["before"].get("/api/v1/calendar/me.ics", params={"token": token})
    assert feed.status_code == 200
    summaries = {str(e["summary"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert any("Amager" in s or "Bydelsbestyrelse" in s for s in summaries)
    assert world.clients["before"].get("/api/v1/calendar/me.ics", params={"token": token + "x"}).status_code == 401
    assert world.clients["before"].get("/api/v1/calendar/me.ics").status_code == 401


def test_bad_agenda_and_vote_requests_are_refused_with_reasons(world: World) -> None:
    board = _board(world, "BB-D1")
    meetings = world.call("before", "GET", "/meetings", params={"board_id": board})
    past = next(m for m in meetings if m["starts_at"] < "2017-01-01")
    refused = world.call("before", "POST", f"/meetings/{past['id']}/agenda", json={"case_id": 1}, status=409)
    assert "taken place" in refused["detail"]
    upcoming = next(m for m in meetings if m["starts_at"] > "2017-03-01")
    world.call("before", "POST", f"/meetings/{upcoming['id']}/agenda", json={"case_id": 1}, user="eva.holm", status=403)
    world.call("before", "POST", f"/meetings/{upcoming['id']}/agenda", json={"case_id": 999999}, status=404)
    vote = {"organisation_id": 1, "vote": "approve"}
    off = world.call("before", "POST", f"/meetings/{upcoming['id']}/items/1/votes", json=vote, status=422)
    assert "not on the agenda" in off["detail"]
    world.call("before", "POST", f"/meetings/{upcoming['id']}/items/1/decision", json={"outcome": "maybe"}, status=422)
    world.call("before", "POST", "/meetings/999999/agenda", json={"case_id": 1}, status=404)
    world.call("before", "GET", f"/meetings/{upcoming['id']}/minutes", headers={"Accept": "application/json"}, status=406)
    assert S


def test_two_secretaries_moving_one_meeting_at_once_one_wins_the_other_gets_409(world: World) -> None:
    board = _board(world, "BB-D4")
    body = {"board_id": board, "starts_at": "2017-11-07T16:00:00+01:00"}
    created = world.call("before", "POST", "/meetings", json=body, status=201)
    headers = world.auth(S)
    path = f"/api/v1/meetings/{created['id']}"
    barrier = threading.Barrier(2)

    def move(place: str) -> int:
        barrier.wait()
        reply = world.clients["before"].patch(path, json={"expected_version": 1, "location": place}, headers=headers)
        return reply.status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(move, ["Valby", "Vanløse"]))
    assert statuses == [200, 409]
    assert world.call("before", "GET", f"/meetings/{created['id']}")["version"] == 2
