"""Written procedure (issue 11): the members of the deciding board vote for their organisations between meetings;
the round closes once, on the last party's vote or in the deadline sweep when the deadline has passed. City members'
advisory statements stand beside the votes; the secretary's seat does not approve minutes."""

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from service.meetings import written
from service.notify import jobs
from service.persistence.case_tables import CaseDeadline, CaseEvent
from service.persistence.tables import Board
from tests.meetings.conftest import World
from tests.notify.test_reminders import settings_for_jobs
from workflows.calendar import LOCAL

DUE = date(2017, 2, 20)  # 5 working days after Monday 13 February 2017
LAPSED = datetime(2017, 2, 21, 8, 0, tzinfo=LOCAL)


def _in_writing(world: World, title: str) -> dict:
    """A content change on HP-10 (parties FSB and AAB, district board BB-D5) sent to written procedure."""
    plan_id = next(p["id"] for p in world.call("before", "GET", "/plans") if p["code"] == "HP-10")
    data = {"kind": "content", "change_description": f"{title}: aktiviteten flyttes til Tingbjerg"}
    case = world.call(
        "before",
        "POST",
        "/cases",
        json={"case_type": "change_request", "plan_id": plan_id, "title": title, "data": data},
        status=201,
    )
    steps = (("submit", None), ("start_screening", None), ("mark_ready", {}), ("schedule", {"written_procedure": True}))
    for action, body in steps:
        payload = {"expected_version": case["version"], **({"data": body} if body is not None else {})}
        case = world.call("before", "POST", f"/cases/{case['id']}/actions/{action}", json=payload)
    assert case["state"] == "scheduled"
    return case


def _procedure(world: World, user: str, case_id: int) -> dict:
    return next(p for p in world.call("before", "GET", "/written-procedures", user=user) if p["case_id"] == case_id)


def _vote(world: World, user: str, case_id: int, org: str, vote: str = "approve", status: int = 200, **kw: str) -> dict:
    body = {"organisation": org, "vote": vote, **kw}
    return world.call("before", "POST", f"/written-procedures/{case_id}/votes", user=user, json=body, status=status)


def _events(world: World, case_id: int) -> list[CaseEvent]:
    with Session(world.engine) as session:
        return list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)))


def test_members_vote_in_writing_and_the_last_party_vote_decides(world: World) -> None:
    case = _in_writing(world, "Lektiecafé i Tingbjerg")
    mine = _procedure(world, "eva.holm", case["id"])
    assert mine["due_on"] == DUE.isoformat() and mine["voters"] == ["AAB", "FSB"]
    assert mine["may_vote_for"] == ["FSB"] and mine["ballots"] == [] and not mine["lapsed"]
    assert mine["proposal"][0].startswith("at Bydelsbestyrelse") and "Tingbjerg" in mine["presentation"]

    # A member for a non-party (SAB), a City member and the secretariat see it, and vote for no one.
    for user in ("niels.ravn", "henrik.bay", "sara.bech"):
        seen = _procedure(world, user, case["id"])
        assert seen["may_vote_for"] == [] and seen["represents"] == []
    refused = _vote(world, "niels.ravn", case["id"], "SAB", status=403)
    assert "none of the plan's party organisations (AAB, FSB)" in refused["detail"]
    _vote(world, "niels.ravn", case["id"], "FSB", status=403)
    _vote(world, "sara.bech", case["id"], "AAB", status=403)
    _vote(world, "eva.holm", case["id"], "AAB", status=403)  # a party, but not hers
    _vote(world, "eva.holm", case["id"], "FSB", vote="maybe", status=422)
    assert world.call("before", "GET", f"/cases/{case['id']}")["version"] == case["version"]

    # The City member's advisory statement stands beside the votes.
    said = world.call(
        "before",
        "POST",
        f"/written-procedures/{case['id']}/statements",
        user="henrik.bay",
        json={"text": "Forvaltningen støtter flytningen."},
    )
    assert [(s["organisations"], s["by"]) for s in said["statements"]] == [(["TMF"], "Henrik Bay")]
    world.call(
        "before", "POST", f"/written-procedures/{case['id']}/statements", user="henrik.bay", json={"text": ""}, status=422
    )

    voted = _vote(world, "eva.holm", case["id"], "FSB", comment="FSB bakker op.")
    assert voted["outcome"] is None and voted["state"] == "scheduled"
    [ballot] = voted["procedure"]["ballots"]
    assert (ballot["organisation"], ballot["vote"], ballot["by"], ballot["comment"]) == (
        "FSB",
        "approve",
        "Eva Holm",
        "FSB bakker op.",
    )
    assert voted["procedure"]["may_vote_for"] == []
    version = voted["version"]
    again = _vote(world, "eva.holm", case["id"], "FSB", vote="reject", status=409)
    assert "FSB has already voted" in again["detail"]
    assert world.call("before", "GET", f"/cases/{case['id']}")["version"] == version

    # The last party's vote closes the round in its own transaction: approved through the engine, once.
    closed = _vote(world, "bo.iversen", case["id"], "AAB")
    assert (closed["outcome"], closed["state"], closed["procedure"]) == ("approved", "approved", None)
    *_, last_vote, decision = _events(world, case["id"])
    assert (last_vote.action, decision.action, decision.actor_id) == ("vote", "approve", None)
    assert decision.comment.startswith(
        "Beslutning ved skriftlig behandling (svarfrist 20.02.2017): Godkendt som indstillet."
    )
    assert "Udtalelse fra TMF (Henrik Bay): Forvaltningen støtter flytningen." in decision.comment
    late = _vote(world, "bo.iversen", case["id"], "AAB", status=409)
    assert "not in written procedure" in late["detail"]
    with Session(world.engine) as session:
        deadline = session.exec(select(CaseDeadline).where(CaseDeadline.case_id == case["id"])).all()
    assert [(d.name, d.status) for d in deadline if d.name == "written_procedure"] == [("written_procedure", "met")]
    assert case["id"] not in [p["case_id"] for p in world.call("before", "GET", "/written-procedures", user="eva.holm")]


def test_a_rejection_by_one_party_rejects_when_the_round_completes(world: World) -> None:
    case = _in_writing(world, "Nattevandring")
    _vote(world, "eva.holm", case["id"], "FSB", vote="reject")
    closed = _vote(world, "bo.iversen", case["id"], "AAB")
    assert (closed["outcome"], closed["state"]) == ("rejected", "rejected")
    assert "Stemmer: AAB approve, FSB reject." in _events(world, case["id"])[-1].comment


def test_the_deadline_sweep_closes_a_round_without_every_vote_once(world: World) -> None:
    case = _in_writing(world, "Sommerlejr")
    _vote(world, "eva.holm", case["id"], "FSB")
    assert written.close_lapsed(world.engine, datetime(2017, 2, 20, 23, 0, tzinfo=LOCAL)) == 0  # the last day runs
    assert written.close_lapsed(world.engine, LAPSED) >= 1
    assert written.close_lapsed(world.engine, LAPSED) == 0
    result = jobs.sweep_deadlines(world.engine, settings_for_jobs(world.engine), LAPSED)
    assert "closed_rounds" not in result
    events = _events(world, case["id"])
    closing = [e for e in events if e.from_state == "scheduled" and e.to_state != "scheduled"]
    assert [(e.action, e.to_state) for e in closing] == [("postpone", "ready_for_decision")]
    assert "mangler: AAB" in closing[0].comment and "ikke godkendt" in closing[0].comment
    # Postponed, it is proposed for the board's next meeting; a vote now is refused and leaves no trace.
    meetings = world.call("before", "GET", "/meetings", params={"board_id": _board(world), "after": "2017-03-01"})
    proposed = world.call("before", "GET", f"/meetings/{meetings[0]['id']}")["proposed"]
    assert case["id"] in [p["case_id"] for p in proposed]
    _vote(world, "bo.iversen", case["id"], "AAB", status=409)
    assert len(_events(world, case["id"])) == len(events)


def _board(world: World) -> int:
    with Session(world.engine) as session:
        board = session.exec(select(Board).where(Board.code == "BB-D5")).one()
    assert board.id is not None
    return board.id


def test_two_sweeps_at_once_close_the_round_exactly_once(world: World) -> None:
    case = _in_writing(world, "Fodboldturnering")
    start = threading.Barrier(2)
    closed: list[int] = []

    def sweep() -> None:
        start.wait()
        closed.append(written.close_lapsed(world.engine, LAPSED))

    workers = [threading.Thread(target=sweep) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(closed) == [0, 1]
    postponed = [e for e in _events(world, case["id"]) if e.action == "postpone"]
    assert len(postponed) == 1 and postponed[0].actor_id is None


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # row locks are PostgreSQL's; SQLite serialises
def test_a_sweep_skips_a_round_another_worker_holds(world: World, backend: str) -> None:
    case = _in_writing(world, "Cykelværksted")
    with world.engine.connect() as other:
        held = other.execute(
            text("SELECT id FROM case_deadlines WHERE case_id = :c AND status = 'open' FOR UPDATE"), {"c": case["id"]}
        ).scalar_one()
        assert held
        assert written.close_lapsed(world.engine, LAPSED) == 0  # skipped at once, not waited for
        other.rollback()
    assert written.close_lapsed(world.engine, LAPSED) == 1
    assert [e.action for e in _events(world, case["id"])].count("postpone") == 1


def test_statements_beside_the_votes_of_a_meeting_and_the_secretary_seat_approves_no_minutes(world: World) -> None:
    meetings = world.call("before", "GET", "/meetings", params={"board_id": _board(world), "after": "2017-03-01"})
    meeting_id = meetings[0]["id"]
    plan_id = next(p["id"] for p in world.call("before", "GET", "/plans") if p["code"] == "HP-10")
    data = {"kind": "content", "change_description": "Ny mødested for klubben"}
    body = {"case_type": "change_request", "plan_id": plan_id, "title": "Klubben flytter", "data": data}
    case = world.call("before", "POST", "/cases", json=body, status=201)
    for action in ("submit", "start_screening", "mark_ready"):
        case = world.call(
            "before", "POST", f"/cases/{case['id']}/actions/{action}", json={"expected_version": case["version"]}
        )
    world.call("before", "POST", f"/meetings/{meeting_id}/agenda", json={"case_id": case["id"]}, status=201)
    version = world.call("before", "GET", f"/cases/{case['id']}")["version"]
    world.call(
        "before",
        "POST",
        f"/cases/{case['id']}/actions/give_statement",
        user="henrik.bay",
        json={"expected_version": version, "data": {"text": "Kommunen har ingen bemærkninger."}},
    )
    item = next(i for i in world.call("before", "GET", f"/meetings/{meeting_id}")["items"] if i["case_id"] == case["id"])
    assert [(s["organisations"], s["text"]) for s in item["statements"]] == [(["TMF"], "Kommunen har ingen bemærkninger.")]
    assert case["id"] not in [p["case_id"] for p in world.call("before", "GET", "/written-procedures", user="eva.holm")]

    orgs = {o["code"]: o["id"] for o in world.call("before", "GET", "/organisations")}
    for org in ("FSB", "AAB"):
        world.call(
            "during",
            "POST",
            f"/meetings/{meeting_id}/items/{case['id']}/votes",
            json={"organisation_id": orgs[org], "vote": "approve"},
        )
    decided = world.call(
        "during", "POST", f"/meetings/{meeting_id}/items/{case['id']}/decision", json={"outcome": "approved"}
    )
    item = next(i for i in decided["items"] if i["case_id"] == case["id"])
    assert (
        item["decision_text"] == "Godkendt som indstillet. Udtalelse fra TMF (Henrik Bay): Kommunen har ingen bemærkninger."
    )
    assert item["statements"][0]["by"] == "Henrik Bay"  # still shown after the case left the agenda
    minutes = world.call("after", "GET", f"/meetings/{meeting_id}/minutes", headers={"Accept": "text/html"}).text
    assert "Udtalelse fra TMF (Henrik Bay)" in minutes

    # The secretary (sara.bech holds BB-D5's secretary seat) does not approve the minutes as a member.
    refused = world.call("after", "POST", f"/meetings/{meeting_id}/minutes/approvals", user="sara.bech", status=403)
    assert "secretary seat" in refused["detail"]
    approved = world.call("after", "POST", f"/meetings/{meeting_id}/minutes/approvals", user="bo.iversen")
    assert [a["user"]["code"] for a in approved["approvals"]] == ["bo.iversen"]
