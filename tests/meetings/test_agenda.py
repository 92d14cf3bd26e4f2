"""Agendas: information items for the central board, a transferred plan's cases on the central board's agenda,
public and internal versions, taking an item off again, and expected decision dates (LBF, written procedure)."""

from io import BytesIO

from pypdf import PdfReader
from sqlmodel import Session, select

from service.persistence.tables import Board, Competence, Plan
from tests.meetings.conftest import World

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _meeting(world: World, board_code: str, day: str) -> dict:
    with Session(world.engine) as session:
        board_id = session.exec(select(Board.id).where(Board.code == board_code)).one()
    meetings = world.call("before", "GET", "/meetings", params={"board_id": board_id})
    return next(m for m in meetings if m["starts_at"].startswith(day))


def _plan(world: World, code: str) -> int:
    return next(p["id"] for p in world.call("before", "GET", "/plans") if p["code"] == code)


def _act(world: World, case: dict, action: str, user: str = "sara.bech", data: dict | None = None) -> dict:
    version = world.call("before", "GET", f"/cases/{case['id']}")["version"]
    body = {"expected_version": version, "data": data or {}}
    return world.call("before", "POST", f"/cases/{case['id']}/actions/{action}", user=user, json=body)


def _open(world: World, plan: str, case_type: str, data: dict, title: str) -> dict:
    body = {"case_type": case_type, "plan_id": _plan(world, plan), "title": title, "data": data}
    case = world.call("before", "POST", "/cases", json=body, status=201)
    for action in ("submit", "start_screening", "mark_ready"):
        case = _act(world, case, action)
    return case


def test_an_agreement_change_reaches_the_central_board_as_an_information_item(world: World) -> None:
    case = _open(world, "HP-10", "strategic_agreement_change", {"change_description": "Nyt mål for beskæftigelse"}, "Aftale")
    _act(world, case, "schedule", data={"written_procedure": True})
    for user, org in (("eva.holm", "FSB"), ("bo.iversen", "AAB"), ("henrik.bay", "KK")):
        _act(world, case, "vote", user=user, data={"organisation": org, "vote": "approve"})
    _act(world, case, "approve")
    informed = _act(world, case, "inform_central_board")
    central = _meeting(world, "CENTRAL", "2017-05-18")
    meeting = world.call("before", "GET", f"/meetings/{central['id']}", user="camilla.juhl")
    item = next(i for i in meeting["items"] if i["case_id"] == case["id"])
    assert item["kind"] == "information" and item["proposal"] == ["at orienteringen tages til efterretning"]
    assert informed["state"] == "central_board_informed"
    assert world.call("before", "GET", f"/meetings/{central['id']}", user="karen.lindholt")["items"]  # a member sees it
    assert world.call("before", "GET", f"/meetings/{central['id']}", user="eva.holm")["items"] == []  # not her board


def test_a_transferred_plans_case_is_proposed_for_the_central_board_not_the_district_board(world: World) -> None:
    with Session(world.engine) as session:
        plan = session.exec(select(Plan).where(Plan.code == "HP-03")).one()
        plan.competence = Competence.central
        session.add(plan)
        session.commit()
    case = _open(world, "HP-03", "change_request", {"kind": "content", "change_description": "Ny indsats"}, "Overført plan")
    central = _meeting(world, "CENTRAL", "2017-05-18")
    proposed = world.call("before", "GET", f"/meetings/{central['id']}")["proposed"]
    assert case["id"] in [p["case_id"] for p in proposed]
    assert world.call("before", "GET", f"/cases/{case['id']}")["expected_decision_date"] == "2017-05-18"
    with Session(world.engine) as session:
        district = session.get(Board, case["deciding_board_id"])
        assert district is not None and district.code == "CENTRAL"


def test_the_public_version_leaves_out_closed_items_and_bilag_and_an_item_can_be_taken_off(world: World) -> None:
    data = {"kind": "content", "change_description": "Tryghedsvandring"}
    case = _open(world, "HP-10", "change_request", data, "Tryghedsvandring i Husum")
    files = {"file": ("personsager.pdf", PDF, "application/pdf")}
    reply = world.clients["before"].post(
        f"/api/v1/cases/{case['id']}/documents", files=files, headers=world.auth("sara.bech")
    )
    assert reply.status_code == 201, reply.text
    meeting = _meeting(world, "BB-D5", "2017-03-15")
    path = f"/meetings/{meeting['id']}"
    detail = world.call("before", "POST", f"{path}/agenda", json={"case_id": case["id"]}, status=201)
    item = next(i for i in detail["items"] if i["case_id"] == case["id"])
    assert [a["filename"] for a in item["attachments"]] == ["personsager.pdf"]
    closed = {"expected_version": detail["version"], "closed_documents": [item["attachments"][0]["document_id"]]}
    detail = world.call("before", "PATCH", f"{path}/items/{case['id']}", json=closed)
    world.call("before", "PATCH", f"{path}/items/{case['id']}", json=closed, status=409)  # stale version
    public = world.call(
        "before", "GET", f"{path}/agenda", params={"version": "public"}, headers={"Accept": "text/html"}
    ).text
    internal = world.call("before", "GET", f"{path}/agenda", headers={"Accept": "text/html"}).text
    assert "Tryghedsvandring i Husum" in public and "personsager.pdf" not in public and "personsager.pdf" in internal
    body = {"expected_version": detail["version"], "public": False, "closed_reason": "Personhenførbare oplysninger"}
    detail = world.call("before", "PATCH", f"{path}/items/{case['id']}", json=body)
    pdf = world.call("before", "GET", f"{path}/agenda", params={"version": "public"}, headers={"Accept": "application/pdf"})
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "Tryghedsvandring i Husum" not in text and "Offentlig udgave" in text
    world.call("before", "GET", f"{path}/agenda", params={"version": "internal"}, user="louise.kring", status=403)

    world.call("before", "DELETE", f"{path}/items/{case['id']}", params={"expected_version": detail["version"]})
    assert world.call("before", "GET", f"/cases/{case['id']}")["state"] == "ready_for_decision"
    assert "postpone" in [e["action"] for e in world.call("before", "GET", f"/cases/{case['id']}/events")]
    assert case["id"] not in [i["case_id"] for i in world.call("before", "GET", path)["items"]]


def test_expected_decision_dates_add_lbf_and_follow_written_procedure(world: World) -> None:
    moves = [
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
    case = _open(
        world,
        "HP-10",
        "change_request",
        {"kind": "economic", "change_description": "KP til FF", "budget_moves": moves},
        "LBF",
    )
    assert world.call("before", "GET", f"/cases/{case['id']}")["data"]["lbf_approval_needed"] is True
    # The 15 March meeting, then LBF's 30 days: 14 April 2017 is Good Friday, so the next working day.
    assert world.call("before", "GET", f"/cases/{case['id']}")["expected_decision_date"] == "2017-04-18"
    plain = _open(world, "HP-10", "change_request", {"kind": "content", "change_description": "Skriftligt"}, "Skriftlig")
    _act(world, plain, "schedule", data={"written_procedure": True})
    assert world.call("before", "GET", f"/cases/{plain['id']}")["expected_decision_date"] == "2017-02-20"


def test_a_decision_taken_on_the_case_itself_shows_on_the_agenda_and_a_withdrawn_case_leaves_it(world: World) -> None:
    meeting = _meeting(world, "BB-D5", "2017-03-15")
    path = f"/meetings/{meeting['id']}"
    decided = _open(world, "HP-10", "change_request", {"kind": "content", "change_description": "A"}, "Besluttet på sagen")
    gone = _open(world, "HP-10", "change_request", {"kind": "content", "change_description": "B"}, "Trukket tilbage")
    for case in (decided, gone):
        world.call("before", "POST", f"{path}/agenda", json={"case_id": case["id"]}, status=201)
    _act(world, gone, "withdraw")
    for user, org in (("eva.holm", "FSB"), ("bo.iversen", "AAB")):
        version = world.call("during", "GET", f"/cases/{decided['id']}")["version"]
        body = {"expected_version": version, "data": {"organisation": org, "vote": "approve"}}
        world.call("during", "POST", f"/cases/{decided['id']}/actions/vote", user=user, json=body)
    version = world.call("during", "GET", f"/cases/{decided['id']}")["version"]
    world.call("during", "POST", f"/cases/{decided['id']}/actions/approve", json={"expected_version": version})
    items = {i["case_id"]: i for i in world.call("during", "GET", path)["items"]}
    assert items[decided["id"]]["outcome"] == "approved" and items[decided["id"]]["decision_text"] == "Godkendt."
    assert items[decided["id"]]["votes"] == {}  # the round is over; the votes stay in the case history
    assert gone["id"] not in items
    again = {"outcome": "approved"}
    world.call("during", "POST", f"{path}/items/{decided['id']}/decision", json=again, status=409)
