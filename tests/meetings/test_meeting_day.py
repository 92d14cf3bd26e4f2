"""A district-board meeting of the demo played end to end over HTTP (issue 11): the agenda proposed, confirmed and
sent; the meeting moved (and the case's expected decision date with it); votes by party and non-party
organisations; the decision applied through the case's engine; minutes as HTML and PDF, approved and finalised."""

from io import BytesIO

from pypdf import PdfReader
from sqlmodel import Session, select

from service.persistence.meeting_tables import MeetingMessage
from service.persistence.tables import Board, Organisation
from tests.meetings.conftest import World

MOVE = {"from_area": "UB", "from_year": 2017, "from_funder": "LBF", "to_area": "UB", "to_year": 2018, "to_funder": "LBF"}


def _ids(world: World) -> tuple[int, int, dict[str, int]]:
    with Session(world.engine) as session:
        board = session.exec(select(Board).where(Board.code == "BB-D5")).one()
        orgs = {o.code: o.id for o in session.exec(select(Organisation))}
    meetings = world.call("before", "GET", "/meetings", params={"board_id": board.id, "after": "2017-03-01"})
    assert board.id is not None
    return board.id, meetings[0]["id"], {k: v for k, v in orgs.items() if v is not None}


def _ready_case(world: World) -> dict:
    plan_id = next(p["id"] for p in world.call("before", "GET", "/plans") if p["code"] == "HP-10")
    data = {
        "kind": "economic",
        "change_description": "Lektiecaféen flyttes et år",
        "budget_moves": [MOVE | {"amount_dkk": 100_000}],
    }
    body = {"case_type": "change_request", "plan_id": plan_id, "title": "Lektiecafé 2018", "data": data}
    case = world.call("before", "POST", "/cases", json=body, status=201)
    for action in ("submit", "start_screening", "mark_ready"):
        case = world.call(
            "before", "POST", f"/cases/{case['id']}/actions/{action}", json={"expected_version": case["version"]}
        )
    return case


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_a_district_board_meeting_from_agenda_to_minutes(world: World) -> None:
    board_id, meeting_id, orgs = _ids(world)
    case = _ready_case(world)
    meeting = world.call("before", "GET", f"/meetings/{meeting_id}")
    assert meeting["day"] == "2017-03-15" and meeting["agenda_cutoff"] == "2017-03-01"
    assert case["id"] in [p["case_id"] for p in meeting["proposed"]]
    assert world.call("before", "GET", f"/cases/{case['id']}")["expected_decision_date"] == "2017-03-15"

    # Putting the case on the agenda schedules it through the engine, with a drafted item.
    meeting = world.call("before", "POST", f"/meetings/{meeting_id}/agenda", json={"case_id": case["id"]}, status=201)
    item = meeting["items"][0]
    assert item["number"] == 2 and item["state"] == "scheduled" and len(item["proposal"]) == 2
    assert "UB 2017" in item["economy"] and "→" in item["economy"]
    assert case["id"] not in [p["case_id"] for p in meeting["proposed"]]
    events = world.call("before", "GET", f"/cases/{case['id']}/events")
    assert events[-1]["action"] == "schedule" and events[-1]["to_state"] == "scheduled"

    # Moving the meeting moves the case's expected decision; a stale version is refused.
    moved = {"expected_version": meeting["version"], "starts_at": "2017-03-22T14:00:00+01:00"}
    meeting = world.call("before", "PATCH", f"/meetings/{meeting_id}", json=moved)
    world.call("before", "PATCH", f"/meetings/{meeting_id}", json=moved, status=409)
    assert world.call("before", "GET", f"/cases/{case['id']}")["expected_decision_date"] == "2017-03-22"

    # Confirmed and sent: one meeting_outbox row per member, and the agenda as a real PDF.
    meeting = world.call(
        "before", "POST", f"/meetings/{meeting_id}/agenda/confirm", json={"expected_version": meeting["version"]}
    )
    meeting = world.call(
        "before", "POST", f"/meetings/{meeting_id}/agenda/send", json={"expected_version": meeting["version"]}
    )
    assert meeting["agenda_sent_at"] is not None
    with Session(world.engine) as session:
        sent = session.exec(select(MeetingMessage).where(MeetingMessage.meeting_id == meeting_id)).all()
    assert sent and {m.topic for m in sent} == {"agenda_sent"} and all(m.recipient_id for m in sent)
    pdf = world.call("before", "GET", f"/meetings/{meeting_id}/agenda", headers={"Accept": "application/pdf"})
    text = _pdf_text(pdf.content)
    assert "Dagsorden" in text and "Lektiecafé 2018" in text and "Godkendelse af dagsorden" in text

    # During the meeting: a non-party's vote is refused and leaves no trace; the parties' votes count.
    version = world.call("during", "GET", f"/cases/{case['id']}")["version"]
    refused = world.call(
        "during",
        "POST",
        f"/meetings/{meeting_id}/items/{case['id']}/votes",
        json={"organisation_id": orgs["VIBO"], "vote": "approve"},
        status=422,
    )
    assert "not a party" in refused["detail"]
    assert world.call("during", "GET", f"/cases/{case['id']}")["version"] == version
    for org in ("FSB", "AAB"):
        world.call(
            "during",
            "POST",
            f"/meetings/{meeting_id}/items/{case['id']}/votes",
            json={"organisation_id": orgs[org], "vote": "approve"},
        )

    # The votes carry an approval, not a rejection; the decision is applied once and written into the case history.
    world.call(
        "during", "POST", f"/meetings/{meeting_id}/items/{case['id']}/decision", json={"outcome": "rejected"}, status=409
    )
    meeting = world.call(
        "during", "POST", f"/meetings/{meeting_id}/items/{case['id']}/decision", json={"outcome": "approved"}
    )
    assert meeting["items"][0]["decision_text"].startswith("Godkendt som indstillet")
    assert world.call("during", "GET", f"/cases/{case['id']}")["state"] == "approved"
    last = world.call("during", "GET", f"/cases/{case['id']}/events")[-1]
    assert last["action"] == "approve" and "Godkendt som indstillet" in last["comment"]
    world.call(
        "during", "POST", f"/meetings/{meeting_id}/items/{case['id']}/decision", json={"outcome": "approved"}, status=409
    )

    # The minutes, built from the decisions: HTML and PDF; approved by members, withdrawable until final.
    html = world.call("after", "GET", f"/meetings/{meeting_id}/minutes", headers={"Accept": "text/html"}).text
    assert "Beslutning" in html and "Godkendt som indstillet" in html
    assert "Godkendt som indstillet" in _pdf_text(
        world.call("after", "GET", f"/meetings/{meeting_id}/minutes", headers={"Accept": "application/pdf"}).content
    )
    world.call("after", "POST", f"/meetings/{meeting_id}/minutes/approvals", user="eva.holm")
    meeting = world.call("after", "DELETE", f"/meetings/{meeting_id}/minutes/approvals", user="eva.holm")
    assert meeting["approvals"][0]["withdrawn_at"] is not None
    meeting = world.call("after", "POST", f"/meetings/{meeting_id}/minutes/approvals", user="eva.holm")
    assert meeting["approvals"][0]["withdrawn_at"] is None
    world.call("after", "POST", f"/meetings/{meeting_id}/minutes/approvals", user="louise.kring", status=403)
    meeting = world.call(
        "after", "POST", f"/meetings/{meeting_id}/minutes/finalise", json={"expected_version": meeting["version"]}
    )
    assert meeting["minutes_finalised_at"] is not None
    world.call("after", "DELETE", f"/meetings/{meeting_id}/minutes/approvals", user="eva.holm", status=409)
    # The decided case has the minutes among its documents, as the same PDF.
    filed = [d for d in world.call("after", "GET", f"/cases/{case['id']}/documents") if d["filename"].startswith("referat")]
    assert len(filed) == 1 and filed[0]["content_type"] == "application/pdf"
    pdf = world.call("after", "GET", f"/cases/{case['id']}/documents/{filed[0]['id']}").content
    assert "Godkendt som indstillet" in _pdf_text(pdf)
    assert board_id
