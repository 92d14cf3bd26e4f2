"""The expected decision on the case page in headless Chromium: the date, the chain of steps, and a slip beside the
date and in the history (a meeting the case was on moved a week), in Danish and English."""

import json
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.embedded import fetch
from tests.ui import test_ui
from tests.ui.test_accessibility import violations
from tests.ui.test_meeting_pages import _ready_case
from tests.ui.test_ui import SHOTS, api, log_in

browser, page = test_ui.browser, test_ui.page  # the same headless Chromium fixtures
pytestmark = pytest.mark.browser


def _patch(base: str, path: str, token: str, body: dict) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"{base}{path}", data=json.dumps(body).encode(), method="PATCH", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def test_the_case_page_shows_the_expected_decision_its_chain_and_its_slip(page: Page, embedded: str) -> None:
    case = _ready_case(embedded, "Sommerferieaktiviteter i Tingbjerg")
    login = {"username": "sara.bech", "password": "demo"}
    token = str(fetch(f"{embedded}/api/v1/auth/token", data=login)[1]["access_token"])
    board = case["deciding_board_id"]
    meeting = api(embedded, "/api/v1/meetings", token, {"board_id": board, "starts_at": "2017-10-18T14:00:00+02:00"})
    placed = api(embedded, f"/api/v1/meetings/{meeting['id']}/agenda", token, {"case_id": case["id"]})
    moved = {"expected_version": placed["version"], "starts_at": "2017-10-25T14:00:00+02:00"}
    _patch(embedded, f"/api/v1/meetings/{meeting['id']}", token, moved)

    log_in(page, embedded, "sara.bech")
    page.goto(f"{embedded}/sager/{case['id']}")
    expected = page.locator("dd.expected")
    expect(expected.locator("strong")).to_have_text("25. oktober 2017")
    expect(expected.locator(".chain")).to_have_text("Bydelsbestyrelse Brønshøj/Husum/Tingbjerg 25. okt. 2017")
    slip = "Mødet 18. oktober 2017 blev flyttet til 25. oktober 2017: +1 uge"
    expect(page.get_by_role("list", name="Udskydelser")).to_have_text(slip)
    entry = page.locator(".timeline li", has_text="Forventet afgørelse udskudt")
    expect(entry.locator(".slip")).to_have_text(slip)
    expect(entry).to_contain_text("Sara Bech")  # who moved the meeting
    expect(expected.locator(".tag.warn")).to_have_count(0)  # not overdue
    page.screenshot(path=SHOTS / "case-expected-decision-da.png", full_page=True)
    assert violations(page) == []  # WCAG 2.1 AA with the slips shown

    page.get_by_role("link", name="EN", exact=True).click()
    expect(page.locator("dd.expected strong")).to_have_text("25 October 2017")
    english = "The meeting on 18 October 2017 was moved to 25 October 2017: +1 week"
    expect(page.get_by_role("list", name="Slips")).to_have_text(english)
    expect(page.locator(".timeline li", has_text="Expected decision slipped").locator(".slip")).to_have_text(english)
    page.screenshot(path=SHOTS / "case-expected-decision-en.png", full_page=True)
    page.get_by_role("link", name="DA", exact=True).click()  # the switch is kept on the account: back to Danish
