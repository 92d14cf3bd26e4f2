"""The register API: behind login, complete answers, problem details for unknown ids."""

import pytest
from fastapi.testclient import TestClient

OPEN = {"/healthz", "/readyz", "/api/v1/auth/token"}


def test_every_api_route_but_the_health_checks_needs_login(app, client: TestClient) -> None:
    routes = [(path, method) for path, item in app.openapi()["paths"].items() for method in item if path not in OPEN]
    assert len(routes) >= 9
    for template, method in routes:
        path = template.replace("{plan_id}", "1").replace("{board_id}", "1").replace("{meeting_id}", "1")
        response = client.request(method, path)
        assert response.status_code == 401, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_forged_token_is_refused(client: TestClient) -> None:
    import jwt

    forged = jwt.encode({"sub": "1", "exp": 9999999999}, "another-key-of-enough-length-0123456789", "HS256")
    response = client.get("/api/v1/plans", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert "invalid or has expired" in response.json()["detail"]


def test_a_wrong_password_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", data={"username": "eva.holm", "password": "wrong"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown username or wrong password."


def test_plans_list_the_13_demo_plans_with_parties_and_deciding_body(client: TestClient, auth) -> None:
    response = client.get("/api/v1/plans", headers=auth("sara.norgaard"))
    assert response.status_code == 200
    plans = {p["code"]: p for p in response.json()}
    assert len(plans) == 13
    hp10 = plans["HP-10"]
    assert [o["code"] for o in hp10["parties"]] == ["AAB", "FSB"]
    assert hp10["deciding_body"]["code"] == "BB-D5"
    assert hp10["competence"] == "district"
    assert plans["HP-02"]["lead_organisation"]["code"] == "VIBO"
    assert len(plans["HP-02"]["parties"]) == 5


def test_a_plan_shows_its_budget_grant_departments_and_agreement(client: TestClient, auth) -> None:
    plans = client.get("/api/v1/plans", headers=auth("eva.holm")).json()
    hp10 = next(p for p in plans if p["code"] == "HP-10")
    plan = client.get(f"/api/v1/plans/{hp10['id']}", headers=auth("eva.holm")).json()
    assert {a["activity_area"]: a["total_dkk"] for a in plan["budget"]} == {
        "TT": 3_000_000,
        "KP": 2_500_000,
        "UB": 5_500_000,
        "FF": 4_000_000,
    }
    assert plan["budget_total_dkk"] == plan["grant"]["total_dkk"] == 15_000_000
    assert plan["grant"]["by_funder"] == {"LBF": 11_250_000, "KK": 1_875_000, "HOUSING": 1_875_000}
    assert sum(plan["budget"][0]["by_year"].values()) == 3_000_000
    assert plan["strategic_agreement"]["version"] == 1
    assert [u["code"] for u in plan["project_leaders"]] == ["sara.norgaard"]
    assert {d["name"]: d["organisation"]["code"] for d in plan["departments"]}["AAB afd. 38"] == "AAB"


@pytest.mark.parametrize("path", ["/api/v1/plans/999999", "/api/v1/boards/999999", "/api/v1/meetings/999999"])
def test_unknown_ids_are_404_problem_details(client: TestClient, auth, path: str) -> None:
    response = client.get(path, headers=auth("eva.holm"))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not Found" and "999999" in body["detail"]


@pytest.mark.parametrize("plan_id", ["0", "-1", "abc", str(2**63), "9" * 30])
def test_ids_out_of_range_are_422_naming_the_field(client: TestClient, auth, plan_id: str) -> None:
    response = client.get(f"/api/v1/plans/{plan_id}", headers=auth("eva.holm"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "plan_id"


def test_a_board_lists_members_with_whom_they_represent(client: TestClient, auth) -> None:
    boards = {b["code"]: b for b in client.get("/api/v1/boards", headers=auth("eva.holm")).json()}
    assert set(boards) == {"CENTRAL", "BB-D1", "BB-D2", "BB-D3", "BB-D4", "BB-D5", "LG-HP-10"}
    central = client.get(f"/api/v1/boards/{boards['CENTRAL']['id']}", headers=auth("eva.holm")).json()
    members = {m["user"]["code"]: m for m in central["members"]}
    assert sorted(o["code"] for o in members["sofie.brandt"]["represents"]) == ["AKB", "SAB"]
    assert members["karen.lindholt"]["seat"] == "chair"
    assert central["decision_rule"] == "unanimity"
    assert len(central["meetings"]) == 4
    d5 = client.get(f"/api/v1/boards/{boards['BB-D5']['id']}", headers=auth("eva.holm")).json()
    assert [p["code"] for p in d5["plans"]] == ["HP-09", "HP-10"]


def test_organisations_can_be_filtered_by_kind(client: TestClient, auth) -> None:
    response = client.get("/api/v1/organisations?kind=administration", headers=auth("eva.holm"))
    assert {o["code"] for o in response.json()} == {"TMF", "SOF", "BIF", "BUF", "KFF"}
    assert all(o["parent"]["code"] == "KK" for o in response.json())
    bad = client.get("/api/v1/organisations?kind=bank", headers=auth("eva.holm"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"


def test_districts_and_meetings(client: TestClient, auth) -> None:
    districts = client.get("/api/v1/districts", headers=auth("eva.holm")).json()
    assert [d["board"]["code"] for d in districts] == ["BB-D1", "BB-D2", "BB-D3", "BB-D4", "BB-D5"]
    meetings = client.get(
        "/api/v1/meetings",
        params={"after": "2016-06-01T00:00:00Z", "before": "2016-07-01T00:00:00Z"},
        headers=auth("eva.holm"),
    ).json()
    assert [m["board"]["code"] for m in meetings] == ["BB-D1", "BB-D2", "BB-D3", "BB-D4", "BB-D5"]


def test_me_names_the_organisation_and_seats(client: TestClient, auth) -> None:
    me = client.get("/api/v1/me", headers=auth("kim.aagaard")).json()
    assert me["organisation"]["code"] == "DAB"
    seats = {s["board"]["code"]: s for s in me["seats"]}
    assert set(seats) == {"BB-D1", "BB-D2"}
    assert sorted(o["code"] for o in seats["BB-D1"]["represents"]) == ["HAB", "MURER"]
    leader = client.get("/api/v1/me", headers=auth("emil.bruun")).json()
    assert [p["code"] for p in leader["project_leader_of"]] == ["HP-04", "HP-09"]
