"""Sessions can be ended: logout, a password change and deactivation end every cookie and token issued before;
a UI session ends `session_hours` after its login however active it is. On both backends.
"""

import re
import subprocess
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from service import sessions
from service.persistence.tables import User
from tests.embedded import BIN, clean_env


def ui_login(client: TestClient, username: str) -> str:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    done = client.post(
        "/login", data={"username": username, "password": "demo", "csrf": token.group(1)}, follow_redirects=False
    )
    assert done.status_code == 303
    fresh = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert fresh is not None
    return fresh.group(1)


def api_token(client: TestClient, username: str, password: str = "demo") -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def logged_in(client: TestClient) -> bool:
    return client.get("/opgaver", follow_redirects=False).status_code == 200


def test_logging_out_in_the_ui_ends_copies_of_the_cookie_and_the_tokens(own_app) -> None:
    with TestClient(own_app) as browser, TestClient(own_app) as thief:
        csrf = ui_login(browser, "kim.aagaard")
        headers = api_token(browser, "kim.aagaard")
        thief.cookies.update(browser.cookies)  # a copy of the session cookie
        assert logged_in(thief) and browser.get("/api/v1/me", headers=headers).status_code == 200
        assert browser.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
        assert not logged_in(thief)
        assert browser.get("/api/v1/me", headers=headers).status_code == 401


def test_logging_out_through_the_api_ends_the_token(own_app) -> None:
    with TestClient(own_app) as client:
        headers = api_token(client, "emil.bruun")
        assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
        assert client.get("/api/v1/me", headers=headers).status_code == 401
        assert client.get("/api/v1/me", headers=api_token(client, "emil.bruun")).status_code == 200  # a new login works


def cli(own_app, *args: str, typed: str = "") -> subprocess.CompletedProcess[str]:
    env = clean_env(BOLIGSOCIAL_DATABASE_URL=own_app.state.settings.database_url, BOLIGSOCIAL_DEMO="true")
    return subprocess.run([str(BIN), "users", *args], env=env, input=typed, capture_output=True, text=True, timeout=60)


def test_a_password_change_and_a_deactivation_end_cookies_and_tokens(own_app) -> None:
    with TestClient(own_app) as client:
        ui_login(client, "noah.skov")
        headers = api_token(client, "noah.skov")
        changed = cli(own_app, "set-password", "noah.skov", typed="blå-cykel-ved-søerne-88\nblå-cykel-ved-søerne-88\n")
        assert changed.returncode == 0, changed.stderr
        assert not logged_in(client) and client.get("/api/v1/me", headers=headers).status_code == 401
        headers = api_token(client, "noah.skov", "blå-cykel-ved-søerne-88")
        assert cli(own_app, "deactivate", "noah.skov").returncode == 0
        assert client.get("/api/v1/me", headers=headers).status_code == 401  # a deactivated user's token is refused


def test_a_session_ends_after_its_absolute_lifetime() -> None:
    user = User(id=1, username="x", full_name="X", email="x@example.org", session_generation=3)
    login = datetime(2026, 1, 1, 8, tzinfo=UTC)
    cookie = sessions.cookie_values(user, now=login)
    assert sessions.cookie_current(cookie, user, hours=8, now=login + timedelta(hours=7, minutes=59))
    assert not sessions.cookie_current(cookie, user, hours=8, now=login + timedelta(hours=8))  # however active
    assert not sessions.cookie_current(cookie | {"gen": 2}, user, hours=8, now=login)  # an older generation
    assert not sessions.cookie_current({"user_id": 1}, user, hours=8, now=login)  # a cookie from before generations


def test_demo_accounts_are_refused_when_the_demo_is_off(own_app) -> None:
    own_app.state.demo = False
    try:
        with TestClient(own_app) as client:
            refused = client.post("/api/v1/auth/token", data={"username": "sara.bech", "password": "demo"})
            assert refused.status_code == 401
    finally:
        own_app.state.demo = True
