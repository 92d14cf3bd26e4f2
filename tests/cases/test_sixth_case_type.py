"""Proof that a case type lives in one file: a sixth type declared only under tests/ runs through the whole service.

`tests/case_types/midterm_review.py` declares it; registering it is the only step. It is opened over HTTP, moved
through a board's decision round and LBF's answer, its page shows its buttons and its diagram is drawn — no line
of `service/` names it. A second test checks that `service/` names no case type, state or action at all.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.case_types.midterm_review import WORKFLOW
from workflows.registry import WORKFLOWS, validate
from workflows.spec import Workflow

SERVICE = Path(__file__).parents[2] / "service"


@pytest.fixture(scope="module")
def app(own_app: Any) -> Any:
    """A database of its own: the sixth type's cases must not outlive the test in the shared one, where no
    registered type would read them."""
    return own_app


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def auth(client: TestClient) -> Any:
    def headers(username: str) -> dict[str, str]:
        response = client.post("/api/v1/auth/token", data={"username": username, "password": "demo"})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return headers


@pytest.fixture
def midterm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Workflow]:
    validate(WORKFLOW)  # the same checks as every registered case type
    monkeypatch.setitem(WORKFLOWS, WORKFLOW.key, WORKFLOW)
    yield WORKFLOW


def plan_id(client: TestClient, auth, code: str) -> int:
    return next(p["id"] for p in client.get("/api/v1/plans", headers=auth("sara.bech")).json() if p["code"] == code)


def act(client: TestClient, auth, case: dict, who: str, action: str, data: dict | None = None) -> dict:
    response = client.post(
        f"/api/v1/cases/{case['id']}/actions/{action}",
        json={"expected_version": case["version"], "data": data or {}},
        headers=auth(who),
    )
    assert response.status_code == 200, response.text
    return response.json()


def ui_page(app, username: str, path: str) -> str:
    """A page of the web UI as a logged-in user sees it (a fresh cookie jar per user)."""
    with TestClient(app) as browser:
        form = browser.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf is not None
        login = {"username": username, "password": "demo", "csrf": csrf.group(1), "next": "/"}
        assert browser.post("/login", data=login, follow_redirects=False).status_code == 303
        page = browser.get(path)
        assert page.status_code == 200, page.text
        return page.text


def test_a_sixth_case_type_declared_in_one_file_runs_through_the_service(
    midterm: Workflow, app, client: TestClient, auth
) -> None:
    body = {
        "case_type": "midterm_review",
        "plan_id": plan_id(client, auth, "HP-10"),
        "title": "Midtvejsevaluering 2017",
        "data": {"focus": "goals"},
    }
    opened = client.post("/api/v1/cases", json=body, headers=auth("sara.norgaard"))
    assert opened.status_code == 201, opened.text
    case = act(client, auth, opened.json(), "sara.norgaard", "submit")
    case = act(client, auth, case, "sara.bech", "schedule", {"written_procedure": True})
    assert case["state"] == "scheduled" and "approve" not in case["allowed_actions"]

    page = ui_page(app, "eva.holm", f"/sager/{case['id']}")
    buttons = re.findall(r'<button type="submit">([^<]+)</button>', page)
    assert "Afgiv stemme" in buttons and "Midtvejsevaluering" in page  # the member's vote button, from the declaration
    assert "Registrér godkendelse" not in buttons  # only the secretariat records the outcome
    assert "Registrér godkendelse" in ui_page(app, "sara.bech", f"/sager/{case['id']}")

    case = act(client, auth, case, "eva.holm", "vote", {"organisation": "FSB", "vote": "approve"})
    case = act(client, auth, case, "bo.iversen", "vote", {"organisation": "AAB", "vote": "approve"})
    case = act(client, auth, case, "sara.bech", "approve")
    case = act(client, auth, case, "sara.bech", "send_to_lbf")
    assert [(d["name"], d["status"]) for d in case["deadlines"]] == [("lbf_reply", "open")]
    case = act(client, auth, case, "sara.bech", "record_lbf_approval", {"lbf_reference": "LBF 2017-0042"})
    case = act(client, auth, case, "sara.bech", "close")
    assert case["state"] == "closed" and case["is_open"] is False
    assert [(d["name"], d["status"]) for d in case["deadlines"]] == [("lbf_reply", "met")]
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=auth("sara.bech")).json()
    assert [e["action"] for e in events] == [
        "open",
        "submit",
        "schedule",
        "vote",
        "vote",
        "approve",
        "send_to_lbf",
        "record_lbf_approval",
        "close",
    ]

    diagram = client.get("/api/v1/workflows/midterm_review/diagram", headers=auth("sara.bech"))
    assert diagram.status_code == 200 and "lbf_queried" in diagram.text and "Afgiv stemme" not in diagram.text
    described = client.get("/api/v1/workflows/midterm_review", headers=auth("sara.bech")).json()
    assert {s["name"] for s in described["states"]} >= {"draft", "scheduled", "awaiting_lbf", "closed"}


def names_in_declarations() -> set[str]:
    """Every case-type key, state name and action name the declarations use."""
    names = set(WORKFLOWS)
    for workflow in WORKFLOWS.values():
        names |= {s.name for s in workflow.states} | {a.name for a in workflow.actions}
    return names


def test_service_names_no_case_type_state_or_action() -> None:
    """Rules live in the declarations: service code asks for declared properties, never for a name.

    The demo register's example histories (`service/demo/`) are data that play actions by name and are left out.
    """
    names = names_in_declarations()
    found = []
    for path in sorted(SERVICE.rglob("*.py")):
        if "demo" in path.parts or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            code = re.sub(r"[\"']([a-z_]+)[\"']\s*:", "", code)  # dict keys name fields, not states or actions
            found += [
                f"{path.relative_to(SERVICE)}:{number}: {m}" for m in re.findall(r"[\"']([a-z_]+)[\"']", code) if m in names
            ]
    assert found == [], "service/ names case types, states or actions:\n" + "\n".join(found)
