"""What the UI does right today and nothing pinned: CSRF, redirects, and a stale version on the case page."""

import re

from fastapi.testclient import TestClient

from tests.api.test_api_cases import open_change
from tests.service.test_sessions import ui_login


def events(client: TestClient, auth, case_id: int) -> list[str]:
    return [e["action"] for e in client.get(f"/api/v1/cases/{case_id}/events", headers=auth("sara.norgaard")).json()]


def test_a_ui_action_with_a_bad_csrf_token_writes_no_event(app, client: TestClient, auth) -> None:
    case = open_change(client, auth)
    with TestClient(app) as browser:
        ui_login(browser, "sara.norgaard")
        sent = browser.post(
            f"/sager/{case['id']}/handling/submit", data={"csrf": "forged", "version": "1"}, follow_redirects=False
        )
        assert sent.status_code == 303
    assert events(client, auth, case["id"]) == ["open"]


def test_next_pointing_elsewhere_redirects_home(app) -> None:
    with TestClient(app) as browser:
        token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login?next=//elsewhere.example/x").text)
        assert token is not None
        form = {"username": "eva.holm", "password": "demo", "csrf": token.group(1), "next": "//elsewhere.example/x"}
        done = browser.post("/login", data=form, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/"
        back = browser.get("/sprog/en?back=//elsewhere.example", follow_redirects=False)
        browser.get("/sprog/da")  # the choice is kept on the account, which the other tests share
        assert back.headers["location"] == "/"


def test_a_stale_version_on_the_case_page_shows_the_fresh_state_with_a_message(app, client: TestClient, auth) -> None:
    case = open_change(client, auth)
    with TestClient(app) as browser:
        csrf = ui_login(browser, "sara.norgaard")
        assert "Kladde" in browser.get(f"/sager/{case['id']}").text  # the page as the user read it: version 1
        submitted = client.post(
            f"/api/v1/cases/{case['id']}/actions/submit", json={"expected_version": 1}, headers=auth("sara.norgaard")
        )
        assert submitted.status_code == 200  # meanwhile someone submitted it
        stale = browser.post(
            f"/sager/{case['id']}/handling/withdraw", data={"csrf": csrf, "version": "1"}, follow_redirects=False
        )
    assert stale.status_code == 409
    assert "Sagen blev ændret, mens du havde siden åben (Sara Nørgaard: »Indsend«)" in stale.text  # who acted
    assert 'class="state">Indsendt' in stale.text
    assert events(client, auth, case["id"]) == ["open", "submit"]
