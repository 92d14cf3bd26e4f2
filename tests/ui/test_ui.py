"""The web UI in real headless Chromium (Debian's, driven by Playwright): Danish first, English on request."""

import json
import os
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.embedded import fetch

pytestmark = pytest.mark.browser
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("BOLIGSOCIAL_SCREENSHOTS", "/tmp/boligsocial-screenshots"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    page = context.new_page()
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith("http://127.0.0.1") else None)
    yield page
    context.close()
    assert external == [], f"the page asked the internet for {external}"


def log_in(page: Page, base: str, username: str, password: str = "demo") -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()


def test_login_and_the_plan_overview_in_danish(page: Page, embedded: str) -> None:
    page.goto(f"{embedded}/login")
    expect(page.get_by_text("adgangskoden demo")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "login.png")
    log_in(page, embedded, "camilla.juhl")
    expect(page.get_by_role("heading", name="Mine opgaver")).to_be_visible()  # the landing page is the user's tasks
    page.get_by_role("link", name="Helhedsplaner").click()
    expect(page.get_by_role("heading", name="Helhedsplaner")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(13)
    row = page.locator("tr", has_text="HP-10")
    expect(row).to_contain_text("Husum for Alle")
    expect(row).to_contain_text("AAB")
    expect(row).to_contain_text("Bydelsbestyrelse Brønshøj/Husum/Tingbjerg")
    page.screenshot(path=SHOTS / "plans-da.png", full_page=True)
    row.get_by_role("link", name="HP-10").click()
    expect(page.get_by_role("heading", name=re.compile("Husum for Alle"))).to_be_visible()
    expect(page.locator("tfoot")).to_contain_text("15.000.000 kr.")
    expect(page.get_by_role("heading", name="Budget pr. år")).to_be_visible()  # issue 7 point 10
    expect(page.get_by_role("heading", name="Godkendte budgetændringer")).to_be_visible()
    page.screenshot(path=SHOTS / "plan-da.png", full_page=True)


def test_wrong_password_is_said_plainly(page: Page, embedded: str) -> None:
    log_in(page, embedded, "camilla.juhl", "forkert")
    expect(page.get_by_role("alert")).to_have_text("Forkert brugernavn eller adgangskode.")


def test_english_on_request_and_logout(page: Page, embedded: str) -> None:
    log_in(page, embedded, "eva.holm")
    page.get_by_role("link", name="EN", exact=True).click()
    expect(page.get_by_role("heading", name="My tasks")).to_be_visible()
    page.get_by_role("link", name="Boards").click()
    expect(page.get_by_role("heading", name="Bydelsbestyrelse Amager")).to_be_visible()
    page.screenshot(path=SHOTS / "boards-en.png", full_page=True)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile("/login$"))
    page.goto(f"{embedded}/bestyrelser")
    expect(page).to_have_url(re.compile(r"/login\?next=/bestyrelser$"))
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()  # logged out: Danish again
    log_in(page, embedded, "eva.holm")  # the choice was kept on her account
    expect(page.get_by_role("heading", name="My tasks")).to_be_visible()
    page.get_by_role("link", name="DA", exact=True).click()
    expect(page.get_by_role("heading", name="Mine opgaver")).to_be_visible()


def test_danish_whatever_the_browser_says(browser: Browser, embedded: str) -> None:
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"})
    english_browser = context.new_page()
    english_browser.goto(f"{embedded}/login")
    expect(english_browser.get_by_role("button", name="Log ind")).to_be_visible()
    context.close()


def test_a_login_post_without_the_csrf_token_is_refused(page: Page, embedded: str) -> None:
    response = page.request.post(f"{embedded}/login", form={"username": "eva.holm", "password": "demo", "csrf": "x"})
    assert response.status == 403


def test_a_case_through_the_ui_offers_exactly_the_allowed_actions(page: Page, embedded: str) -> None:
    log_in(page, embedded, "sara.norgaard")
    page.get_by_role("link", name="Ny sag").click()
    page.get_by_label("Vedrører *").select_option(label="HP-10 Husum for Alle")
    page.get_by_label("Titel *").fill("Ny aktivitet for unge")
    page.get_by_label("Art *").select_option(label="Indhold")
    page.get_by_label("Beskrivelse af ændringen").fill("Erstat ungdomsklubben med en lektiecafé")
    page.get_by_role("button", name="Opret sag").click()
    expect(page.get_by_role("heading", name=re.compile("Ny aktivitet for unge"))).to_be_visible()
    expect(page.locator(".state")).to_have_text("Kladde")
    page.get_by_role("button", name="Indsend").click()
    expect(page.locator(".state")).to_have_text("Indsendt")
    expect(page.locator(".timeline")).to_contain_text("Kladde → Indsendt")
    expect(page.locator(".facts").first).to_contain_text("Bydelsbestyrelse Brønshøj/Husum/Tingbjerg")
    expect(page.locator("table.grid")).to_contain_text("Screening")
    page.get_by_text("Sagens forløb").click()
    diagram = page.request.get(embedded + (page.locator("details.diagram img").get_attribute("src") or ""))
    assert diagram.status == 200 and "Indsendt" in diagram.text()  # the state is drawn, highlighted
    page.screenshot(path=SHOTS / "case-submitted-da.png", full_page=True)
    case_url = page.url
    page.get_by_role("button", name="Log ud").click()
    log_in(page, embedded, "eva.holm")  # FSB is a party: she may withdraw, but screening is the secretariat's
    page.goto(case_url)
    expect(page.locator("form.action button")).to_have_text(["Træk tilbage"])
    expect(page.locator(".refused")).to_contain_text("Start screening: kun sekretariatet må udføre »Start screening«")
    page.get_by_role("button", name="Log ud").click()
    log_in(page, embedded, "noah.skov")  # leads other plans: the case does not exist for him
    response = page.goto(case_url)
    assert response is not None and response.status == 404


def api(base: str, path: str, token: str, body: dict) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"{base}{path}", data=json.dumps(body).encode(), method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def test_a_board_member_votes_for_the_organisation_they_sit_for(page: Page, embedded: str) -> None:
    tokens = {
        u: str(fetch(f"{embedded}/api/v1/auth/token", data={"username": u, "password": "demo"})[1]["access_token"])
        for u in ("sara.norgaard", "sara.bech")
    }
    _, plans = fetch(f"{embedded}/api/v1/plans", token=tokens["sara.bech"])
    hp10 = next(p["id"] for p in plans if p["code"] == "HP-10")
    case = api(
        embedded,
        "/api/v1/cases",
        tokens["sara.norgaard"],
        {
            "case_type": "change_request",
            "plan_id": hp10,
            "title": "Sommerferieaktiviteter",
            "data": {"kind": "content", "change_description": "Flere aktiviteter i sommerferien"},
        },
    )
    for who, action, data in [
        ("sara.norgaard", "submit", {}),
        ("sara.bech", "start_screening", {}),
        ("sara.bech", "mark_ready", {}),
        ("sara.bech", "schedule", {"written_procedure": True}),
    ]:
        case = api(
            embedded,
            f"/api/v1/cases/{case['id']}/actions/{action}",
            tokens[who],
            {"expected_version": case["version"], "data": data},
        )
    log_in(page, embedded, "eva.holm")
    page.goto(f"{embedded}/sager/{case['id']}")
    choice = page.locator("#vote-organisation")
    expect(choice.locator("option")).to_have_text(["FSB"])  # she sits on BB-D5 for FSB only
    page.locator("#vote-vote").select_option(label="For")
    page.get_by_role("button", name="Afgiv stemme").click()
    expect(page.locator(".timeline")).to_contain_text("Organisation: FSB · Stemme: For")
    expect(page.locator(".refused")).to_contain_text("Registrér godkendelse: kun sekretariatet")
