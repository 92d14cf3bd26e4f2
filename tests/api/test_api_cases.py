"""Cases over HTTP: a change request from draft to closed by the right people, and each refusal's status."""

from fastapi.testclient import TestClient

MOVE = {
    "from_area": "UB",
    "from_year": 2017,
    "from_funder": "LBF",
    "to_area": "UB",
    "to_year": 2016,
    "to_funder": "LBF",
    "amount_dkk": 150_000,
}


def plan_id(client: TestClient, auth, code: str) -> int:
    return next(p["id"] for p in client.get("/api/v1/plans", headers=auth("camilla.juhl")).json() if p["code"] == code)


def open_change(client: TestClient, auth, plan: str = "HP-10", who: str = "sara.norgaard") -> dict:
    body = {
        "case_type": "change_request",
        "plan_id": plan_id(client, auth, plan),
        "title": "Lektiecafé et år tidligere",
        "data": {
            "kind": "economic",
            "change_description": "Flyt 150.000 kr. i UB fra 2017 til 2016",
            "budget_moves": [MOVE],
        },
    }
    response = client.post("/api/v1/cases", json=body, headers=auth(who))
    assert response.status_code == 201, response.text
    return response.json()


def act(client: TestClient, auth, case: dict, who: str, action: str, data: dict | None = None, status: int = 200) -> dict:
    response = client.post(
        f"/api/v1/cases/{case['id']}/actions/{action}",
        json={"expected_version": case["version"], "data": data or {}, "comment": f"{who}: {action}"},
        headers=auth(who),
    )
    assert response.status_code == status, response.text
    return response.json()


def test_a_change_request_from_draft_to_closed(client: TestClient, auth) -> None:
    case = open_change(client, auth)
    assert case["reference"].startswith("BS-") and case["state"] == "draft"
    assert case["allowed_actions"] == ["edit", "submit", "withdraw"]
    case = act(client, auth, case, "sara.norgaard", "submit")
    assert [d["name"] for d in case["deadlines"]] == ["screening"]
    case = act(client, auth, case, "sara.bech", "start_screening")
    case = act(client, auth, case, "sara.bech", "mark_ready", {})
    assert case["data"]["lbf_approval_needed"] is False  # within one activity area and funder
    case = act(client, auth, case, "sara.bech", "schedule", {"written_procedure": True})
    case = act(client, auth, case, "eva.holm", "vote", {"organisation": "FSB", "vote": "approve"})
    case = act(client, auth, case, "bo.iversen", "vote", {"organisation": "AAB", "vote": "approve"})
    case = act(client, auth, case, "sara.bech", "approve")
    case = act(client, auth, case, "sara.bech", "implement")
    case = act(client, auth, case, "sara.bech", "close")
    assert case["state"] == "closed" and case["is_open"] is False and case["version"] == 10
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=auth("sara.norgaard")).json()
    assert [e["action"] for e in events] == [
        "open",
        "submit",
        "start_screening",
        "mark_ready",
        "schedule",
        "vote",
        "vote",
        "approve",
        "implement",
        "close",
    ]
    assert events[5]["actor"] == "eva.holm" and events[5]["data"] == {"organisation": "FSB", "vote": "approve"}
    plan = client.get(f"/api/v1/plans/{case['plan_id']}", headers=auth("camilla.juhl")).json()
    ub = next(a for a in plan["budget"] if a["activity_area"] == "UB")
    assert ub["total_dkk"] == 5_500_000  # moved between years, total unchanged


def test_refusals_name_the_rule_the_state_and_the_field(client: TestClient, auth) -> None:
    case = open_change(client, auth)
    refused = act(client, auth, case, "noah.skov", "submit", status=404)  # leads other plans: cannot even see it
    assert "that you can see" in refused["detail"]
    refused = act(client, auth, case, "henrik.bay", "submit", status=403)  # a City member of the deciding board
    assert refused["detail"] == "You may not do this: only secretariat, project leader, party org may submit."
    refused = act(client, auth, case, "sara.bech", "approve", status=409)
    assert refused["state"] == "draft" and refused["version"] == 1 and "submit" in refused["allowed_actions"]
    stale = dict(case, version=7)
    refused = act(client, auth, stale, "sara.norgaard", "submit", status=409)
    assert "it is now version 1" in refused["detail"]
    bad = act(client, auth, case, "sara.norgaard", "edit", {"budget_moves": [dict(MOVE, to_area="XX")]}, status=422)
    assert bad["errors"][0]["field"] == "data.budget_moves.0.to_area"
    assert client.get(f"/api/v1/cases/{case['id']}", headers=auth("sara.norgaard")).json()["version"] == 1


def test_unbalanced_budget_moves_are_422(client: TestClient, auth) -> None:
    case = open_change(client, auth)
    one_sided = {k: v for k, v in MOVE.items() if not k.startswith("from")}
    case = act(client, auth, case, "sara.norgaard", "edit", {"budget_moves": [one_sided]})
    refused = act(client, auth, case, "sara.norgaard", "submit", status=422)
    assert refused["errors"] == [{"field": "data.budget_moves", "message": refused["errors"][0]["message"]}]
    assert "do not balance" in refused["detail"]


def test_a_retry_with_the_same_idempotency_key_acts_once(client: TestClient, auth) -> None:
    case = open_change(client, auth)
    headers = auth("sara.norgaard") | {"Idempotency-Key": "submit-once"}
    body = {"expected_version": 1}
    first = client.post(f"/api/v1/cases/{case['id']}/actions/submit", json=body, headers=headers)
    again = client.post(f"/api/v1/cases/{case['id']}/actions/submit", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["version"] == again.json()["version"] == 2
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=auth("sara.norgaard")).json()
    assert [e["action"] for e in events] == ["open", "submit"]


def test_lists_filter_to_what_the_caller_may_see(client: TestClient, auth) -> None:
    case = open_change(client, auth)
    mine = client.get(
        "/api/v1/cases", params={"plan_id": case["plan_id"], "limit": 200}, headers=auth("sara.norgaard")
    ).json()
    assert case["id"] in [c["id"] for c in mine["items"]]
    other = client.get("/api/v1/cases", params={"limit": 200}, headers=auth("noah.skov")).json()
    assert case["id"] not in [c["id"] for c in other["items"]]
    inbox = client.get("/api/v1/cases", params={"actionable": True, "limit": 200}, headers=auth("sara.norgaard")).json()
    assert case["id"] in [c["id"] for c in inbox["items"]]
    found = client.get("/api/v1/cases", params={"q": "lektiecafé"}, headers=auth("camilla.juhl")).json()
    assert found["total"] >= 1 and all("Lektiecafé" in c["title"] for c in found["items"])


def test_opening_needs_a_known_type_and_the_right_to_open(client: TestClient, auth) -> None:
    unknown = client.post("/api/v1/cases", json={"case_type": "nope", "title": "x"}, headers=auth("camilla.juhl"))
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "case_type"
    body = {
        "case_type": "change_request",
        "plan_id": plan_id(client, auth, "HP-10"),
        "title": "x",
        "data": {"kind": "content"},
    }
    refused = client.post("/api/v1/cases", json=body, headers=auth("noah.skov"))
    assert refused.status_code == 403 and "only secretariat, project leader, party org" in refused.json()["detail"]
    missing = client.post("/api/v1/cases", json=dict(body, data={"kind": "sideways"}), headers=auth("sara.norgaard"))
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "data.kind"


def test_text_search_finds_danish_words_and_comments(client: TestClient, auth, backend: str) -> None:
    case = open_change(client, auth)
    client.post(
        f"/api/v1/cases/{case['id']}/comments", json={"body": "Ændringen gælder Ørkenvej"}, headers=auth("sara.bech")
    )
    for q in ("ørkenvej", "ÆNDRINGEN", case["reference"].lower()):
        found = client.get("/api/v1/cases", params={"q": q, "limit": 200}, headers=auth("camilla.juhl")).json()
        assert case["id"] in [c["id"] for c in found["items"]], q
    if backend == "postgresql":  # stemmed: the plural finds the singular
        found = client.get("/api/v1/cases", params={"q": "lektiecaféer"}, headers=auth("camilla.juhl")).json()
        assert case["id"] in [c["id"] for c in found["items"]]


def test_problems_are_danish_when_asked(client: TestClient, auth) -> None:
    case = open_change(client, auth)
    danish = auth("henrik.bay") | {"Accept-Language": "da-DK,da;q=0.9"}
    body = {"expected_version": 1, "data": {}}
    refused = client.post(f"/api/v1/cases/{case['id']}/actions/submit", json=body, headers=danish)
    assert refused.status_code == 403 and refused.headers["content-language"] == "da"
    assert refused.json()["title"] == "Ikke tilladt"
    assert (
        refused.json()["detail"]
        == "Du må ikke gøre dette: kun sekretariatet, projektlederen, en part i bevillingen må udføre »Indsend«."
    )
    missing = client.get("/api/v1/cases/999999", headers=danish)
    assert missing.json()["detail"] == "Der er ingen sag med id 999999, som du kan se."
    anonymous = client.get("/api/v1/plans", headers={"Accept-Language": "da"})
    assert anonymous.json()["title"] == "Ikke logget ind" and anonymous.json()["detail"].startswith("Log ind først")
    invalid = client.get("/api/v1/plans/0", headers=danish)
    assert invalid.json()["detail"].startswith("Forespørgslen er ikke gyldig: plan_id")
