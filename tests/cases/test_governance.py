"""Issue 7, point by point, through the HTTP API on the demo register (domain.md §3.1).

Each test first replays the request the issue observed where it describes a bug, then shows what must hold. The
HTTP clock is the demo clock (about 2016-12-12 in Copenhagen). The demo database is shared by the whole test
session, so every test opens its own cases, never counts, and leaves each plan, board charter and competence as
it found it (a changed charter is replaced by a unanimity charter again; a plan's competence is moved back).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.main import create_app
from service.persistence.tables import (
    Designation,
    DesignationKind,
    Organisation,
    PlanAssignment,
    StrategicAgreement,
    User,
)
from tests.conftest import make_settings

API = "/api/v1"
S = "sara.bech"  # a secretariat caseworker: administers every case
CENTRAL_S = "camilla.juhl"  # secretary of the central board
LOCAL = ZoneInfo("Europe/Copenhagen")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CONTENT = {"kind": "content", "change_description": "Nyt fritidstilbud i stedet for netværksgrupper"}
WRITTEN = {"written_procedure": True}
# Who sits for whom on the district boards (copenhagen-2016.yaml).
BB_D1 = {
    "VIBO": "ali.demir",
    "DFB": "signe.krogh",
    "AAB": "bo.iversen",
    "FSB": "eva.holm",
    "HAB": "kim.aagaard",
    "KK": "henrik.bay",
}  # HP-02's parties, decided by BB-D1
BB_D2 = {"FSB": "eva.holm", "MURER": "kim.aagaard", "AKB": "per.winther", "KK": "henrik.bay"}
BB_D4 = {"AKB": "per.winther", "3B": "lene.kruse", "KK": "louise.kring"}


# -- helpers ---------------------------------------------------------------------------------------------------------


def plan(client: TestClient, auth, code: str) -> dict[str, Any]:
    """The plan's detail: parties, competence, budget, budget history, agreement."""
    plans = client.get(f"{API}/plans", headers=auth(CENTRAL_S)).json()
    plan_id = next(p["id"] for p in plans if p["code"] == code)
    return client.get(f"{API}/plans/{plan_id}", headers=auth(CENTRAL_S)).json()


def board(client: TestClient, auth, code: str) -> dict[str, Any]:
    board_id = next(b["id"] for b in client.get(f"{API}/boards", headers=auth(CENTRAL_S)).json() if b["code"] == code)
    return client.get(f"{API}/boards/{board_id}", headers=auth(CENTRAL_S)).json()


def meeting(client: TestClient, auth, board_code: str, day: str) -> int:
    """The id of the board's meeting on a day (Copenhagen time)."""
    board_id = board(client, auth, board_code)["id"]
    meetings = client.get(f"{API}/meetings", params={"board_id": board_id}, headers=auth(CENTRAL_S)).json()
    return next(
        m["id"] for m in meetings if datetime.fromisoformat(m["starts_at"]).astimezone(LOCAL).date().isoformat() == day
    )


def open_(
    client: TestClient,
    auth,
    user: str,
    case_type: str,
    *,
    plan_code: str | None = None,
    board_code: str | None = None,
    data: dict[str, Any] | None = None,
    status: int = 201,
) -> dict[str, Any]:
    """Open a case on a plan or (a charter) a board; assert the status."""
    body: dict[str, Any] = {"case_type": case_type, "title": f"Issue 7: {case_type}", "data": data or {}}
    if plan_code:
        body["plan_id"] = plan(client, auth, plan_code)["id"]
    if board_code:
        body["board_id"] = board(client, auth, board_code)["id"]
    response = client.post(f"{API}/cases", json=body, headers=auth(user))
    assert response.status_code == status, f"{user} opens {case_type} on {plan_code or board_code}: {response.text}"
    return response.json()


def act(
    client: TestClient, auth, case_id: int, user: str, action: str, data: dict[str, Any] | None = None, status: int = 200
) -> dict[str, Any]:
    """Take an action at the case's current version (read by the secretariat); assert the status."""
    version = client.get(f"{API}/cases/{case_id}", headers=auth(CENTRAL_S)).json()["version"]
    response = client.post(
        f"{API}/cases/{case_id}/actions/{action}",
        json={"expected_version": version, "data": data or {}, "comment": f"{user}: {action}"},
        headers=auth(user),
    )
    assert response.status_code == status, f"{user} {action} {data} on case {case_id}: {response.text}"
    return response.json()


def events(client: TestClient, auth, case_id: int, action: str | None = None) -> list[dict[str, Any]]:
    history = client.get(f"{API}/cases/{case_id}/events", headers=auth(CENTRAL_S)).json()
    return [e for e in history if action is None or e["action"] == action]


def deadline(case: dict[str, Any], name: str) -> str:
    """The status of the case's (latest) deadline of that name."""
    return [d["status"] for d in case["deadlines"] if d["name"] == name][-1]


def to_scheduled(client: TestClient, auth, case_id: int, applicant: str) -> dict[str, Any]:
    """Submit, screen and put a change (request or agreement) in written procedure."""
    act(client, auth, case_id, applicant, "submit")
    act(client, auth, case_id, S, "start_screening")
    act(client, auth, case_id, S, "mark_ready")
    return act(client, auth, case_id, S, "schedule", WRITTEN)


def vote(client: TestClient, auth, case_id: int, members: dict[str, str], **votes: str) -> None:
    """Each organisation's vote, cast by its own member of the deciding board (no source needed)."""
    for org, how in votes.items():
        act(client, auth, case_id, members[org], "vote", {"organisation": org, "vote": how})


def upload(client: TestClient, auth, case_id: int, user: str, name: str = "brev.pdf") -> int:
    response = client.post(
        f"{API}/cases/{case_id}/documents", files={"file": (name, PDF, "application/pdf")}, headers=auth(user)
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def put_charter(client: TestClient, auth, board_code: str, rule: str) -> None:
    """Put a charter with the decision rule in force for a district board, through the charter workflow."""
    case = open_(client, auth, CENTRAL_S, "charter", board_code=board_code, data={"decision_rule": rule})
    for action, data in [
        ("submit_to_central_board", None),
        ("schedule", WRITTEN),
        ("approve", None),
        ("send_to_lbf", None),
        ("record_lbf_approval", {"lbf_reference": "LBF test"}),
        ("put_in_force", None),
    ]:
        case = act(client, auth, case["id"], CENTRAL_S, action, data)
    assert case["state"] == "in_force" and deadline(case, "lbf_reply") == "met"
    assert board(client, auth, board_code)["decision_rule"] == rule


@contextmanager
def majority_on(client: TestClient, auth, board_code: str) -> Iterator[None]:
    """A majority charter in force on the board while the block runs; unanimity again afterwards."""
    put_charter(client, auth, board_code, "majority")
    try:
        yield
    finally:
        put_charter(client, auth, board_code, "unanimity")


def between_areas(plan_code: str, amount: int = 50_000) -> dict[str, Any]:
    return {
        "kind": "economic",
        "change_description": f"Flyt {amount} kr. fra KP til FF i 2017 ({plan_code})",
        "budget_moves": [
            {
                "from_area": "KP",
                "from_year": 2017,
                "from_funder": "LBF",
                "to_area": "FF",
                "to_year": 2017,
                "to_funder": "LBF",
                "amount_dkk": amount,
            }
        ],
    }


def within_area(src: tuple[str, int, str], dst: tuple[str, int, str], amount: int) -> dict[str, Any]:
    move = {
        "from_area": src[0],
        "from_year": src[1],
        "from_funder": src[2],
        "to_area": dst[0],
        "to_year": dst[1],
        "to_funder": dst[2],
        "amount_dkk": amount,
    }
    return {"kind": "economic", "change_description": f"Flyt {amount} kr. {src} -> {dst}", "budget_moves": [move]}


def line_amount(detail: dict[str, Any], area: str, year: int, funder: str) -> int:
    lines = next(a["lines"] for a in detail["budget"] if a["activity_area"] == area)
    return next(x["amount_dkk"] for x in lines if x["year"] == year and x["funder"] == funder)


# -- 1. acting for an organisation comes from the register ----------------------------------------------------------


def test_1_a_project_leader_acts_for_her_plans_only_and_officers_by_designation(client: TestClient, auth) -> None:
    # Observed: sara.norgaard, project leader of HP-10 and employed by FSB, opened a change request on HP-02
    # (Amagerbro Helhedsplan), where FSB is a party. Her employer does not make her act for FSB.
    refused = open_(client, auth, "sara.norgaard", "change_request", plan_code="HP-02", data=CONTENT, status=403)
    assert "only secretariat, project leader, party org" in refused["detail"]
    open_(client, auth, "sara.norgaard", "change_request", plan_code="HP-04", data=CONTENT, status=403)  # FSB's too
    open_(client, auth, "emil.bruun", "change_request", plan_code="HP-02", data=CONTENT, status=403)  # leads HP-04/09
    own = open_(client, auth, "sara.norgaard", "change_request", plan_code="HP-10", data=CONTENT)
    assert own["state"] == "draft"

    # A designated officer of FSB acts for FSB on every plan FSB is a party to.
    open_(client, auth, "gustav.lind", "change_request", plan_code="HP-02", data=CONTENT)
    me = client.get(f"{API}/me", headers=auth("gustav.lind")).json()
    assert me["organisation"]["code"] == "FSB"
    assert [(a["organisation"]["code"], a["basis"], a["board"]) for a in me["acts_for"]] == [("FSB", "officer", None)]

    leader = client.get(f"{API}/me", headers=auth("sara.norgaard")).json()
    assert leader["organisation"]["code"] == "FSB" and leader["acts_for"] == []
    assert [p["code"] for p in leader["project_leader_of"]] == ["HP-10"]

    member = client.get(f"{API}/me", headers=auth("eva.holm")).json()
    assert {(a["organisation"]["code"], a["basis"], a["board"]["code"]) for a in member["acts_for"]} == {
        ("FSB", "board_representative", board_code) for board_code in ("BB-D1", "BB-D2", "BB-D3", "BB-D5")
    }
    represented = client.get(f"{API}/me", headers=auth("sofie.brandt")).json()  # employed by KAB, sits for SAB, AKB
    assert {a["organisation"]["code"] for a in represented["acts_for"]} == {"SAB", "AKB"}


@contextmanager
def register_edit(engine: Engine) -> Iterator[Session]:
    """A committed edit of the register (seats, designations, assignments) the HTTP app sees at once."""
    with Session(engine) as session:
        yield session
        session.commit()


def user_id(session: Session, username: str) -> int:
    found = session.exec(select(User.id).where(User.username == username)).one()
    assert found is not None
    return found


def org_id(session: Session, code: str) -> int:
    found = session.exec(select(Organisation.id).where(Organisation.code == code)).one()
    assert found is not None
    return found


def test_1_designations_and_assignments_count_only_on_the_days_they_hold(client: TestClient, auth, engine: Engine) -> None:
    """load_actor reads the register on the business clock's today (about 2016-12-12)."""
    with register_edit(engine) as session:
        designation = session.exec(select(Designation).where(Designation.user_id == user_id(session, "gustav.lind"))).one()
        assignment = session.exec(
            select(PlanAssignment).where(PlanAssignment.user_id == user_id(session, "sara.norgaard"))
        ).one()
        ids = designation.id, assignment.id
        designation.valid_to = assignment.valid_to = date(2016, 11, 30)  # ended before the demo's today
        session.add_all([designation, assignment])
        session.add(
            Designation(
                user_id=user_id(session, "viktor.hauge"),
                organisation_id=org_id(session, "SAB"),
                kind=DesignationKind.business_manager,
                valid_from=date(2016, 1, 1),
            )
        )
    try:
        open_(client, auth, "gustav.lind", "change_request", plan_code="HP-02", data=CONTENT, status=403)
        assert client.get(f"{API}/me", headers=auth("gustav.lind")).json()["acts_for"] == []
        open_(client, auth, "sara.norgaard", "change_request", plan_code="HP-10", data=CONTENT, status=403)
        # A business manager designated for SAB acts for SAB (HP-09), though employed by its administrator KAB.
        open_(client, auth, "viktor.hauge", "change_request", plan_code="HP-09", data=CONTENT)
        me = client.get(f"{API}/me", headers=auth("viktor.hauge")).json()
        assert [(a["organisation"]["code"], a["basis"]) for a in me["acts_for"]] == [("SAB", "business_manager")]

        with register_edit(engine) as session:  # designated from a day still to come
            designation = session.get(Designation, ids[0])
            assert designation is not None
            designation.valid_from, designation.valid_to = date(2017, 1, 1), None
            session.add(designation)
        open_(client, auth, "gustav.lind", "change_request", plan_code="HP-02", data=CONTENT, status=403)
    finally:
        with register_edit(engine) as session:
            designation, assignment = session.get(Designation, ids[0]), session.get(PlanAssignment, ids[1])
            assert designation is not None and assignment is not None
            designation.valid_from, designation.valid_to = date(2016, 1, 1), None
            assignment.valid_to = None
            session.add_all([designation, assignment])
            for added in session.exec(select(Designation).where(Designation.user_id == user_id(session, "viktor.hauge"))):
                session.delete(added)
    open_(client, auth, "gustav.lind", "change_request", plan_code="HP-02", data=CONTENT)
    open_(client, auth, "sara.norgaard", "change_request", plan_code="HP-10", data=CONTENT)
    open_(client, auth, "viktor.hauge", "change_request", plan_code="HP-09", data=CONTENT, status=403)


# -- 2. the City's veto on a strategic-agreement change --------------------------------------------------------------


def test_2_a_city_abstention_blocks_a_strategic_agreement_change(client: TestClient, auth) -> None:
    # Observed: both parties approving and the City abstaining gave `approved`.
    case = open_(
        client,
        auth,
        "emil.bruun",
        "strategic_agreement_change",
        plan_code="HP-04",
        data={"change_description": "Ny delaftale med SOF"},
    )  # FSB and MURER, BB-D2
    case = to_scheduled(client, auth, case["id"], "emil.bruun")
    vote(client, auth, case["id"], BB_D2, FSB="approve", MURER="approve")
    act(client, auth, case["id"], S, "approve", status=409)  # the City has not voted: undecided
    act(client, auth, case["id"], S, "reject", status=409)
    act(client, auth, case["id"], BB_D2["KK"], "vote", {"organisation": "KK", "vote": "abstain"})
    refused = act(client, auth, case["id"], S, "approve", status=409)
    assert "do not carry an approval" in refused["detail"] and "reject" in refused["allowed_actions"]
    assert act(client, auth, case["id"], S, "reject")["state"] == "rejected"


def test_2_the_city_cannot_be_outvoted_under_a_majority_charter(client: TestClient, auth) -> None:
    # Observed: under a majority charter three housing organisations approving and the City rejecting gave `approved`.
    with majority_on(client, auth, "BB-D1"):
        case = open_(
            client,
            auth,
            "ida.lauritsen",
            "strategic_agreement_change",
            plan_code="HP-02",
            data={"change_description": "Ny delaftale med BIF"},
        )
        case = to_scheduled(client, auth, case["id"], "ida.lauritsen")
        assert events(client, auth, case["id"], "schedule")[-1]["data"]["round_rule"] == "majority"
        vote(
            client,
            auth,
            case["id"],
            BB_D1,
            VIBO="approve",
            DFB="approve",
            AAB="approve",
            FSB="reject",
            HAB="reject",
            KK="reject",
        )
        act(client, auth, case["id"], S, "approve", status=409)
        assert act(client, auth, case["id"], S, "reject")["state"] == "rejected"

        # The same parties' votes with the City approving carry it, and the change runs on into force.
        case = open_(
            client,
            auth,
            "ida.lauritsen",
            "strategic_agreement_change",
            plan_code="HP-02",
            data={"change_description": "Ny delaftale med BIF, anden udgave"},
        )
        case = to_scheduled(client, auth, case["id"], "ida.lauritsen")
        vote(
            client,
            auth,
            case["id"],
            BB_D1,
            VIBO="approve",
            DFB="approve",
            AAB="approve",
            FSB="reject",
            HAB="reject",
            KK="approve",
        )
        act(client, auth, case["id"], S, "approve")
        for action in ("inform_central_board", "send_to_lbf", "record_lbf_approval", "put_in_force"):
            case = act(client, auth, case["id"], S, action)
        assert case["state"] == "in_force"


def test_2_only_a_city_member_of_the_deciding_board_casts_the_citys_vote(client: TestClient, auth) -> None:
    case = open_(
        client,
        auth,
        "viktor.hauge",
        "strategic_agreement_change",
        plan_code="HP-12",
        data={"change_description": "Ny delaftale med BUF"},
    )  # AKB, BB-D4
    case = to_scheduled(client, auth, case["id"], "viktor.hauge")
    act(client, auth, case["id"], "henrik.bay", "vote", {"organisation": "KK", "vote": "approve"}, status=404)  # not BB-D4
    act(client, auth, case["id"], "per.winther", "vote", {"organisation": "KK", "vote": "approve"}, status=403)
    vote(client, auth, case["id"], BB_D4, AKB="approve", KK="approve")
    act(client, auth, case["id"], S, "send_back")
    act(client, auth, case["id"], "viktor.hauge", "withdraw")


# -- 3. the secretariat records votes and consents only with their source -------------------------------------------


def test_3_a_consent_recorded_by_the_secretariat_names_its_meeting_or_letter(client: TestClient, auth) -> None:
    # Observed: one caseworker opened a competence transfer and consented for both housing organisations alone.
    transfer = open_(client, auth, CENTRAL_S, "competence_transfer", plan_code="HP-04", data={"direction": "to_central"})
    tid = transfer["id"]
    refused = act(client, auth, tid, CENTRAL_S, "consent", {"organisation": "FSB"}, status=403)
    assert "must name its source" in refused["detail"]
    # Consents are collected before the case is on any agenda: no meeting can be their source, only a letter.
    started = meeting(client, auth, "CENTRAL", "2016-11-24")
    refused = act(client, auth, tid, CENTRAL_S, "consent", {"organisation": "FSB", "meeting_id": started}, status=403)
    assert "must name its source" in refused["detail"]
    fsb_letter = upload(client, auth, tid, CENTRAL_S, "samtykke-fsb.pdf")
    act(client, auth, tid, CENTRAL_S, "consent", {"organisation": "FSB", "document_id": fsb_letter})

    elsewhere = open_(client, auth, "emil.bruun", "change_request", plan_code="HP-04", data=CONTENT)
    foreign = upload(client, auth, elsewhere["id"], "emil.bruun")
    wrong = act(client, auth, tid, CENTRAL_S, "consent", {"organisation": "MURER", "document_id": foreign}, status=422)
    assert wrong["errors"][0]["field"] == "data.document_id"
    letter = upload(client, auth, tid, CENTRAL_S, "samtykke-murergaarden.pdf")
    act(client, auth, tid, CENTRAL_S, "consent", {"organisation": "MURER", "document_id": letter})

    consents = events(client, auth, tid, "consent")
    assert [(e["actor"], e["acting_for"]) for e in consents] == [(CENTRAL_S, "FSB"), (CENTRAL_S, "MURER")]
    assert consents[0]["data"]["document_id"] == fsb_letter and consents[1]["data"]["document_id"] == letter
    assert act(client, auth, tid, CENTRAL_S, "confirm_consents")["state"] == "consents_collected"
    act(client, auth, tid, CENTRAL_S, "withdraw")  # HP-04 stays with its district board


def test_3_a_vote_recorded_by_the_secretariat_names_its_meeting_or_letter(client: TestClient, auth, settings) -> None:
    # Observed: a caseworker recorded both parties' votes in a written procedure and approved the change alone.
    case = open_(client, auth, "emil.bruun", "change_request", plan_code="HP-09", data=CONTENT)  # FSB, SAB; BB-D5
    cid = to_scheduled(client, auth, case["id"], "emil.bruun")["id"]
    refused = act(client, auth, cid, S, "vote", {"organisation": "SAB", "vote": "approve"}, status=403)
    assert "must name its source" in refused["detail"]
    started = meeting(client, auth, "BB-D5", "2016-12-07")  # a meeting that was held, but not on this round
    act(client, auth, cid, S, "vote", {"organisation": "SAB", "vote": "approve", "meeting_id": started}, status=403)
    act(client, auth, cid, S, "postpone")
    on_agenda = meeting(client, auth, "BB-D5", "2017-03-15")
    act(client, auth, cid, S, "schedule", {"meeting_id": on_agenda})
    refused = act(
        client, auth, cid, S, "vote", {"organisation": "SAB", "vote": "approve", "meeting_id": on_agenda}, status=403
    )
    assert "has not started" in refused["detail"]
    other_board = meeting(client, auth, "BB-D4", "2016-12-06")
    act(client, auth, cid, S, "vote", {"organisation": "SAB", "vote": "approve", "meeting_id": other_board}, status=403)
    letter = upload(client, auth, cid, S, "stemme-fsb.pdf")
    act(client, auth, cid, S, "vote", {"organisation": "FSB", "vote": "approve", "document_id": letter})
    act(client, auth, cid, "eva.holm", "vote", {"organisation": "FSB", "vote": "approve"})  # a member: no source

    during = create_app(
        make_settings(
            settings.database_url,
            settings.var_dir,
            broker_url=settings.broker_url,
            clock_start=datetime(2017, 3, 15, 15, 0, tzinfo=LOCAL),
        )
    )
    try:
        with TestClient(during) as meeting_day:  # the meeting has started: SAB's vote there can be recorded
            act(meeting_day, auth, cid, S, "vote", {"organisation": "SAB", "vote": "approve", "meeting_id": on_agenda})
            assert act(meeting_day, auth, cid, S, "approve")["state"] == "approved"
    finally:
        during.state.engine.dispose()

    votes = events(client, auth, cid, "vote")
    assert [(e["actor"], e["acting_for"]) for e in votes] == [(S, "FSB"), ("eva.holm", "FSB"), (S, "SAB")]
    assert votes[0]["data"]["document_id"] == letter and votes[2]["data"]["meeting_id"] == on_agenda
    assert "meeting_id" not in votes[1]["data"] and "document_id" not in votes[1]["data"]


def test_3_a_housing_organisations_approval_or_refusal_recorded_by_the_secretariat_names_its_source(
    client: TestClient, auth
) -> None:
    report = {"report": "status_report", "period": "2016", "due_date": "2017-03-31"}
    case = open_(client, auth, S, "lbf_submission", plan_code="HP-04", data=report)
    act(client, auth, case["id"], "emil.bruun", "start_preparation")
    refused = act(client, auth, case["id"], S, "approve_submission", {"organisation": "FSB"}, status=403)
    assert "must name its source" in refused["detail"]
    letter = upload(client, auth, case["id"], S, "godkendelse-fsb.pdf")
    approved = act(client, auth, case["id"], S, "approve_submission", {"organisation": "FSB", "document_id": letter})
    assert approved["state"] == "approved_by_housing_org"
    recorded = events(client, auth, case["id"], "approve_submission")[0]
    assert (recorded["actor"], recorded["acting_for"], recorded["data"]["document_id"]) == (S, "FSB", letter)

    transfer = open_(client, auth, CENTRAL_S, "competence_transfer", plan_code="HP-04", data={"direction": "to_central"})
    act(client, auth, transfer["id"], CENTRAL_S, "refuse", {"organisation": "MURER"}, status=403)
    letter = upload(client, auth, transfer["id"], CENTRAL_S, "afslag-murergaarden.pdf")
    refused = act(client, auth, transfer["id"], CENTRAL_S, "refuse", {"organisation": "MURER", "document_id": letter})
    assert refused["state"] == "refused" and events(client, auth, transfer["id"], "refuse")[0]["acting_for"] == "MURER"


# -- 4. LBF approval can be added, never waived ----------------------------------------------------------------------


def test_4_the_lbf_step_cannot_be_waived_only_added(client: TestClient, auth) -> None:
    # Observed: `lbf_approval_needed: false` at screening removed LBF from a move between activity areas.
    case = open_(client, auth, "noah.skov", "change_request", plan_code="HP-11", data=between_areas("HP-11"))
    cid = case["id"]
    act(client, auth, cid, "noah.skov", "submit")
    act(client, auth, cid, S, "start_screening")
    refused = act(client, auth, cid, S, "mark_ready", {"lbf_approval_needed": False}, status=403)
    assert "never waived" in refused["detail"]
    act(client, auth, cid, S, "start_consultation", {"lbf_approval_needed": False}, status=403)
    assert act(client, auth, cid, S, "mark_ready")["data"]["lbf_approval_needed"] is True
    act(client, auth, cid, "noah.skov", "withdraw")

    within = within_area(("UB", 2017, "LBF"), ("UB", 2016, "LBF"), 20_000)
    for override, stored in ((True, True), (False, False), (None, False)):
        case = open_(client, auth, "noah.skov", "change_request", plan_code="HP-11", data=within)
        act(client, auth, case["id"], "noah.skov", "submit")
        act(client, auth, case["id"], S, "start_screening")
        data = {} if override is None else {"lbf_approval_needed": override}
        assert act(client, auth, case["id"], S, "mark_ready", data)["data"]["lbf_approval_needed"] is stored
        act(client, auth, case["id"], "noah.skov", "withdraw")

    material = open_(client, auth, "noah.skov", "change_request", plan_code="HP-11", data=CONTENT)
    act(client, auth, material["id"], "noah.skov", "submit")
    act(client, auth, material["id"], S, "start_screening")
    act(client, auth, material["id"], S, "mark_ready", {"material": True, "lbf_approval_needed": False}, status=403)
    assert act(client, auth, material["id"], S, "mark_ready", {"material": True})["data"]["lbf_approval_needed"] is True
    act(client, auth, material["id"], "noah.skov", "withdraw")


# -- 5. budget moves are feasible and inside the grant ---------------------------------------------------------------


def test_5_a_move_outside_the_grant_period_is_refused_at_submission(client: TestClient, auth) -> None:
    # Observed: a move into a year outside the grant was implemented and created a new budget line.
    case = open_(
        client,
        auth,
        "viktor.hauge",
        "change_request",
        plan_code="HP-12",
        data=within_area(("UB", 2017, "LBF"), ("UB", 2021, "LBF"), 10_000),
    )  # HP-12: 2016-2019
    refused = act(client, auth, case["id"], "viktor.hauge", "submit", status=422)
    assert refused["errors"][0]["field"] == "data.budget_moves.0.to_area"
    assert "2021" in refused["detail"] and "2016–2019" in refused["detail"]
    early = open_(
        client,
        auth,
        "viktor.hauge",
        "change_request",
        plan_code="HP-12",
        data=within_area(("UB", 2015, "LBF"), ("UB", 2017, "LBF"), 10_000),
    )
    refused = act(client, auth, early["id"], "viktor.hauge", "submit", status=422)
    assert refused["errors"][0]["field"] == "data.budget_moves.0.from_area"
    years = {x["year"] for a in plan(client, auth, "HP-12")["budget"] for x in a["lines"]}
    assert years == {2016, 2017, 2018, 2019}


def test_5_a_move_larger_than_its_line_is_refused_at_submission(client: TestClient, auth) -> None:
    # Observed: 9,000,000 from a line holding 475,000 passed submission and then stuck in `approved`.
    held = line_amount(plan(client, auth, "HP-12"), "KP", 2018, "LBF")
    assert held < 9_000_000
    case = open_(
        client,
        auth,
        "viktor.hauge",
        "change_request",
        plan_code="HP-12",
        data=within_area(("KP", 2018, "LBF"), ("KP", 2019, "LBF"), 9_000_000),
    )
    refused = act(client, auth, case["id"], "viktor.hauge", "submit", status=422)
    assert refused["errors"][0]["field"] == "data.budget_moves.0.from_area"
    assert "KP 2018 LBF" in refused["detail"] and "9,000,000" in refused["detail"]


def test_5_two_approved_changes_cannot_together_overdraw_a_line(client: TestClient, auth) -> None:
    src, dst = ("FF", 2019, "HOUSING"), ("FF", 2018, "HOUSING")
    held = line_amount(plan(client, auth, "HP-12"), *src)
    amount = held * 2 // 3  # each fits alone, both together do not
    first = open_(client, auth, "viktor.hauge", "change_request", plan_code="HP-12", data=within_area(src, dst, amount))
    second = open_(client, auth, "viktor.hauge", "change_request", plan_code="HP-12", data=within_area(src, dst, amount))
    to_scheduled(client, auth, first["id"], "viktor.hauge")
    to_scheduled(client, auth, second["id"], "viktor.hauge")  # both submitted while neither is approved
    vote(client, auth, first["id"], BB_D4, AKB="approve")
    act(client, auth, first["id"], S, "approve")  # promised, not yet implemented

    third = open_(client, auth, "viktor.hauge", "change_request", plan_code="HP-12", data=within_area(src, dst, amount))
    refused = act(client, auth, third["id"], "viktor.hauge", "submit", status=422)  # counts the first's promise
    assert refused["errors"][0]["field"] == "data.budget_moves.0.from_area" and "FF 2019 HOUSING" in refused["detail"]

    act(client, auth, first["id"], S, "implement")
    vote(client, auth, second["id"], BB_D4, AKB="approve")
    refused = act(client, auth, second["id"], S, "approve", status=422)  # an approval promises money no longer there
    assert refused["errors"][0]["field"] == "data.budget_moves.0.from_area" and "FF 2019 HOUSING" in refused["detail"]
    assert act(client, auth, second["id"], S, "send_back")["state"] == "returned"  # not stuck: back to the applicant
    assert line_amount(plan(client, auth, "HP-12"), *src) == held - amount


# -- 6. cases need a live grant --------------------------------------------------------------------------------------


def test_6_cases_on_an_ended_grant_are_refused_but_reports_go_on(client: TestClient, auth, settings) -> None:
    """A second app on the same database whose clock reads 1 June 2018: HP-05's grant ended on 28 February 2018."""
    later = create_app(
        make_settings(
            settings.database_url,
            settings.var_dir,
            broker_url=settings.broker_url,
            clock_start=datetime(2018, 6, 1, 10, 0, tzinfo=UTC),
        )
    )
    try:
        with TestClient(later) as after:
            # Observed: cases opened on a plan that ended in February 2018.
            ended = [
                ("change_request", CONTENT),
                ("strategic_agreement_change", {"change_description": "x"}),
                ("competence_transfer", {"direction": "to_central"}),
            ]
            for case_type, data in ended:
                opener = "maja.storm" if case_type == "competence_transfer" else "freja.dahl"
                refused = open_(after, auth, opener, case_type, plan_code="HP-05", data=data, status=409)
                assert "grant period is not running" in refused["detail"]
            open_(after, auth, "noah.skov", "change_request", plan_code="HP-11", data=CONTENT)  # runs to 2019

            report = {"report": "status_report", "period": "2017", "due_date": "2018-08-31"}
            assert open_(after, auth, S, "lbf_submission", plan_code="HP-05", data=report)["state"] == "scheduled"
            final = open_(
                after,
                auth,
                S,
                "lbf_submission",
                plan_code="HP-05",
                data={"report": "evaluation", "period": "2014-2018", "due_date": "2018-08-31", "final": True},
            )
            act(after, auth, final["id"], "freja.dahl", "start_preparation")
            act(after, auth, final["id"], "freja.dahl", "approve_submission", {"organisation": "LEJERBO"}, status=403)
            act(after, auth, final["id"], "maja.storm", "approve_submission", {"organisation": "LEJERBO"})
            act(after, auth, final["id"], "maja.storm", "submit_to_lbf")
            accepted = act(after, auth, final["id"], S, "record_acceptance", {"lbf_reference": "LBF slut"})
            assert accepted["state"] == "accepted" and deadline(accepted, "lbf_reply") == "met"  # point 12 too
            refused = open_(after, auth, S, "lbf_submission", plan_code="HP-05", data=report, status=409)
            assert "final report has been accepted" in refused["detail"]
    finally:
        later.state.engine.dispose()


def test_6_a_plan_whose_grant_has_not_started_takes_no_cases(client: TestClient, auth) -> None:
    # HP-07 runs from 2017-01-01; the demo clock reads December 2016.
    refused = open_(client, auth, "clara.winge", "change_request", plan_code="HP-07", data=CONTENT, status=409)
    assert "grant period is not running" in refused["detail"]
    report = {"report": "milestone_plan", "period": "2017", "due_date": "2017-03-31"}
    refused = open_(client, auth, S, "lbf_submission", plan_code="HP-07", data=report, status=409)
    assert "has not started" in refused["detail"]


# -- 7. one open strategic-agreement change per plan, naming the version it amends ---------------------------------


def test_7_one_open_agreement_change_per_plan_each_naming_its_version(client: TestClient, auth, engine: Engine) -> None:
    detail = plan(client, auth, "HP-06")  # AKB, BB-D2
    version = detail["strategic_agreement"]["version"]
    first = open_(
        client,
        auth,
        "viktor.hauge",
        "strategic_agreement_change",
        plan_code="HP-06",
        data={"change_description": "Første ændring"},
    )
    assert first["data"]["amends_version"] == version
    # Observed: two changes drafted from the same version both came into force, the second replacing the first.
    refused = open_(
        client,
        auth,
        "viktor.hauge",
        "strategic_agreement_change",
        plan_code="HP-06",
        data={"change_description": "Anden ændring"},
        status=409,
    )
    assert "already has an open case of this type" in refused["detail"]

    to_scheduled(client, auth, first["id"], "viktor.hauge")
    vote(client, auth, first["id"], BB_D2, AKB="approve", KK="approve")
    for action in ("approve", "inform_central_board", "send_to_lbf", "record_lbf_approval"):
        act(client, auth, first["id"], S, action)

    # Another version comes into force meanwhile (outside this case: the register is edited directly).
    with Session(engine) as session:
        current = session.exec(
            select(StrategicAgreement).where(
                StrategicAgreement.plan_id == detail["id"], col(StrategicAgreement.superseded_on).is_(None)
            )
        ).one()
        current.superseded_on = date(2016, 12, 1)
        other = StrategicAgreement(
            plan_id=detail["id"], version=version + 1, in_force_from=date(2016, 12, 1), summary="Indgået uden for sagen"
        )
        session.add_all([current, other])
        session.commit()
    refused = act(client, auth, first["id"], S, "put_in_force", status=409)
    assert f"amends version {version}" in refused["detail"] and f"version {version + 1} came into force" in refused["detail"]
    assert refused["state"] == "lbf_approved"

    with Session(engine) as session:  # undo the outside edit; now the change may come into force
        session.delete(
            session.exec(
                select(StrategicAgreement).where(
                    StrategicAgreement.plan_id == detail["id"], StrategicAgreement.version == version + 1
                )
            ).one()
        )
        restored = session.exec(
            select(StrategicAgreement).where(
                StrategicAgreement.plan_id == detail["id"], StrategicAgreement.version == version
            )
        ).one()
        restored.superseded_on = None
        session.add(restored)
        session.commit()
    assert act(client, auth, first["id"], S, "put_in_force")["state"] == "in_force"
    assert plan(client, auth, "HP-06")["strategic_agreement"]["version"] == version + 1

    following = open_(
        client,
        auth,
        "viktor.hauge",
        "strategic_agreement_change",
        plan_code="HP-06",
        data={"change_description": "Anden ændring", "amends_version": version},
    )
    assert following["data"]["amends_version"] == version + 1  # the engine records it, whatever the client says
    act(client, auth, following["id"], "viktor.hauge", "withdraw")


# -- 8. the rule of a round is fixed when the round starts ---------------------------------------------------------


def test_8_a_charter_in_force_mid_round_does_not_change_the_votes_cast(client: TestClient, auth) -> None:
    # Observed: votes refused under unanimity became an approval when a majority charter came into force mid-round.
    assert board(client, auth, "BB-D1")["decision_rule"] == "unanimity"
    case = open_(client, auth, "ida.lauritsen", "change_request", plan_code="HP-02", data=CONTENT)
    cid = to_scheduled(client, auth, case["id"], "ida.lauritsen")["id"]
    assert events(client, auth, cid, "schedule")[-1]["data"]["round_rule"] == "unanimity"
    vote(client, auth, cid, BB_D1, VIBO="approve", DFB="approve", AAB="approve", FSB="approve", HAB="reject")
    act(client, auth, cid, S, "approve", status=409)
    with majority_on(client, auth, "BB-D1"):
        refused = act(client, auth, cid, S, "approve", status=409)
        assert "do not carry an approval" in refused["detail"]
        assert act(client, auth, cid, S, "reject")["state"] == "rejected"

        # A round that starts under the majority charter is counted by it.
        later = open_(client, auth, "ida.lauritsen", "change_request", plan_code="HP-02", data=CONTENT)
        to_scheduled(client, auth, later["id"], "ida.lauritsen")
        assert events(client, auth, later["id"], "schedule")[-1]["data"]["round_rule"] == "majority"
        vote(client, auth, later["id"], BB_D1, VIBO="approve", DFB="approve", AAB="approve", FSB="approve", HAB="reject")
        assert act(client, auth, later["id"], S, "approve")["state"] == "approved"
        act(client, auth, later["id"], S, "implement")
        act(client, auth, later["id"], S, "close")


# -- 9. competence moves one way at a time ---------------------------------------------------------------------------


def transfer(client: TestClient, auth, plan_code: str, direction: str, status: int = 201) -> dict[str, Any]:
    return open_(
        client,
        auth,
        "anders.friis",
        "competence_transfer",
        plan_code=plan_code,
        data={"direction": direction},
        status=status,
    )  # anders.friis sits for BOVITA


def to_accepted(client: TestClient, auth, case_id: int) -> None:
    act(client, auth, case_id, "anders.friis", "consent", {"organisation": "BOVITA"})
    act(client, auth, case_id, CENTRAL_S, "confirm_consents")
    act(client, auth, case_id, CENTRAL_S, "schedule", WRITTEN)
    act(client, auth, case_id, CENTRAL_S, "accept")


def test_9_a_transfer_goes_only_where_the_plan_is_not_decided_yet(client: TestClient, auth) -> None:
    assert plan(client, auth, "HP-03")["competence"] == "district"  # the test database has no demo history
    refused = transfer(client, auth, "HP-03", "to_district", status=409)
    assert "one way at a time" in refused["detail"]
    first = transfer(client, auth, "HP-03", "to_central")
    refused = transfer(client, auth, "HP-03", "to_central", status=409)  # one open transfer per plan
    assert "already has an open case of this type" in refused["detail"]
    to_accepted(client, auth, first["id"])
    assert act(client, auth, first["id"], CENTRAL_S, "make_effective")["state"] == "effective"
    detail = plan(client, auth, "HP-03")
    assert detail["competence"] == "central" and detail["deciding_body"]["code"] == "CENTRAL"

    # Observed: a transfer to the central board could be opened for a plan already decided centrally.
    transfer(client, auth, "HP-03", "to_central", status=409)

    dropped = transfer(client, auth, "HP-03", "to_district")
    to_accepted(client, auth, dropped["id"])
    assert act(client, auth, dropped["id"], CENTRAL_S, "withdraw")["state"] == "withdrawn"  # accepted, never stuck
    back = transfer(client, auth, "HP-03", "to_district")
    to_accepted(client, auth, back["id"])
    assert act(client, auth, back["id"], CENTRAL_S, "make_effective")["state"] == "effective"
    detail = plan(client, auth, "HP-03")
    assert detail["competence"] == "district" and detail["deciding_body"]["code"] == "BB-D2"


# -- 10. the budget history is readable ------------------------------------------------------------------------------


def test_10_the_plan_shows_its_budget_lines_and_the_history_of_changes(client: TestClient, auth) -> None:
    src, dst, amount = ("TT", 2018, "LBF"), ("TT", 2017, "LBF"), 10_000
    before = plan(client, auth, "HP-11")
    held_src, held_dst = line_amount(before, *src), line_amount(before, *dst)
    case = open_(client, auth, "noah.skov", "change_request", plan_code="HP-11", data=within_area(src, dst, amount))
    to_scheduled(client, auth, case["id"], "noah.skov")
    vote(client, auth, case["id"], BB_D4, **{"3B": "approve"})
    act(client, auth, case["id"], S, "approve")
    implemented = act(client, auth, case["id"], S, "implement")

    after = plan(client, auth, "HP-11")
    assert line_amount(after, *src) == held_src - amount and line_amount(after, *dst) == held_dst + amount
    tt = next(a for a in after["budget"] if a["activity_area"] == "TT")
    assert sum(x["amount_dkk"] for x in tt["lines"]) == tt["total_dkk"]
    entry = next(h for h in after["budget_history"] if h["case_id"] == case["id"])
    assert entry["reference"] == implemented["reference"] and entry["title"] == implemented["title"]
    assert entry["lines"] == [
        {"activity_area": "TT", "year": 2018, "funder": "LBF", "delta_dkk": -amount},
        {"activity_area": "TT", "year": 2017, "funder": "LBF", "delta_dkk": amount},
    ]
    assert entry["at"] == events(client, auth, case["id"], "implement")[0]["at"]


# -- 11. strategic-agreement changes always go to LBF and may be sent to consultation --------------------------------


def test_11_an_agreement_change_needs_lbf_and_can_go_through_consultation(client: TestClient, auth) -> None:
    # Observed: the data said `lbf_approval_needed: false` although every agreement change goes to LBF.
    case = open_(
        client,
        auth,
        "viktor.hauge",
        "strategic_agreement_change",
        plan_code="HP-12",
        data={"change_description": "Ny delaftale om tryghed"},
    )
    act(client, auth, case["id"], "viktor.hauge", "submit")
    act(client, auth, case["id"], S, "start_screening")
    assert act(client, auth, case["id"], S, "mark_ready")["data"]["lbf_approval_needed"] is True
    act(client, auth, case["id"], "viktor.hauge", "withdraw")

    case = open_(
        client,
        auth,
        "viktor.hauge",
        "strategic_agreement_change",
        plan_code="HP-12",
        data={"change_description": "Ny delaftale om tryghed, i høring"},
    )
    act(client, auth, case["id"], "viktor.hauge", "submit")
    act(client, auth, case["id"], S, "start_screening")
    consulting = act(client, auth, case["id"], S, "start_consultation")
    assert consulting["state"] == "consultation" and consulting["data"]["lbf_approval_needed"] is True
    assert deadline(consulting, "consultation") == "open" and deadline(consulting, "screening") == "met"
    act(client, auth, case["id"], S, "respond", {"text": "Den lokale gruppe støtter ændringen"})
    ready = act(client, auth, case["id"], S, "close_consultation")
    assert ready["state"] == "ready_for_decision" and deadline(ready, "consultation") == "met"
    assert ready["data"]["lbf_approval_needed"] is True
    act(client, auth, case["id"], "viktor.hauge", "withdraw")


# -- 12. a deadline ends as what happened ----------------------------------------------------------------------------


def test_12_lbf_rejecting_meets_its_deadline_and_withdrawal_cancels(client: TestClient, auth) -> None:
    # Observed: when LBF rejected a change the `lbf_reply` deadline was stored as cancelled.
    case = open_(client, auth, "noah.skov", "change_request", plan_code="HP-01", data=between_areas("HP-01"))
    cid = to_scheduled(client, auth, case["id"], "noah.skov")["id"]
    act(client, auth, cid, "lene.kruse", "vote", {"organisation": "3B", "vote": "approve"})
    act(client, auth, cid, S, "approve")
    waiting = act(client, auth, cid, S, "send_to_lbf")
    assert deadline(waiting, "lbf_reply") == "open"
    rejected = act(client, auth, cid, S, "record_lbf_rejection", {"lbf_reference": "LBF afslag"})
    assert rejected["state"] == "lbf_rejected"
    assert deadline(rejected, "lbf_reply") == "met" and deadline(rejected, "screening") == "met"

    dropped = open_(client, auth, "noah.skov", "change_request", plan_code="HP-01", data=CONTENT)
    submitted = act(client, auth, dropped["id"], "noah.skov", "submit")
    assert deadline(submitted, "screening") == "open"
    withdrawn = act(client, auth, dropped["id"], "noah.skov", "withdraw")
    assert withdrawn["state"] == "withdrawn" and deadline(withdrawn, "screening") == "cancelled"

    consulted = open_(client, auth, "noah.skov", "change_request", plan_code="HP-01", data=CONTENT)
    act(client, auth, consulted["id"], "noah.skov", "submit")
    act(client, auth, consulted["id"], S, "start_screening")
    act(client, auth, consulted["id"], S, "start_consultation")
    withdrawn = act(client, auth, consulted["id"], "noah.skov", "withdraw")
    assert deadline(withdrawn, "screening") == "met" and deadline(withdrawn, "consultation") == "cancelled"
