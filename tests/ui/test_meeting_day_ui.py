"""A meeting day in headless Chromium: the secretariat records each party's vote and the decision item by item, and
reads the minutes. The same SQLite folder is served twice on the business clock (BOLIGSOCIAL_CLOCK_START): before
the agenda's cut-off, where the case is scheduled over the API, and during the meeting, where the browser works."""

import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.embedded import BIN, clean_env, fetch, free_port
from tests.ui import test_ui
from tests.ui.test_ui import SHOTS, api, log_in

browser, page = test_ui.browser, test_ui.page  # the same headless Chromium fixtures
pytestmark = pytest.mark.browser
SECRET = "meeting-day-secret-key-that-is-long-enough-0123456789"


@contextmanager
def serving(folder: Path, clock: str) -> Iterator[str]:
    """`boligsocial serve --no-worker` on the folder's database with its business clock at `clock`."""
    env = clean_env(BOLIGSOCIAL_SECRET_KEY=SECRET, BOLIGSOCIAL_CLOCK_START=clock)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port), "--no-worker"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _schedule(base: str) -> dict:
    """A content change on HP-10, ready and put on BB-D5's 15 March 2017 agenda through the meetings API."""
    token = str(fetch(f"{base}/api/v1/auth/token", data={"username": "sara.bech", "password": "demo"})[1]["access_token"])
    _, plans = fetch(f"{base}/api/v1/plans", token=token)
    hp10 = next(p["id"] for p in plans if p["code"] == "HP-10")
    data = {"kind": "content", "change_description": "Morgenmadsklub i Husum"}
    case = api(
        base,
        "/api/v1/cases",
        token,
        {"case_type": "change_request", "plan_id": hp10, "title": "Morgenmadsklub", "data": data},
    )
    for action in ("submit", "start_screening", "mark_ready"):
        case = api(base, f"/api/v1/cases/{case['id']}/actions/{action}", token, {"expected_version": case["version"]})
    _, meetings = fetch(f"{base}/api/v1/meetings?board_id={case['deciding_board_id']}&after=2017-03-01", token=token)
    meeting = meetings[0]  # type: ignore[index]
    api(base, f"/api/v1/meetings/{meeting['id']}/agenda", token, {"case_id": case["id"]})
    return {"case": case["id"], "meeting": meeting["id"]}


def test_votes_and_the_decision_recorded_item_by_item_during_the_meeting(page: Page, tmp_path: Path) -> None:
    for command in (["db", "upgrade"], ["seed-demo"]):
        done = subprocess.run(
            [str(BIN), *command], cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    with serving(tmp_path, "2017-02-13T10:00:00+01:00") as base:
        ids = _schedule(base)
    with serving(tmp_path, "2017-03-15T15:00:00+01:00") as base:
        log_in(page, base, "sara.bech")
        page.goto(f"{base}/moeder/{ids['meeting']}")
        item = page.locator("li.item", has_text="Morgenmadsklub")
        for org in ("FSB", "AAB"):
            option = item.locator("select[name=organisation_id] option", has_text=re.compile(f"^{org} "))
            item.get_by_label("Registrér stemme").select_option(value=option.get_attribute("value"))
            item.locator("select[name=ballot]").select_option(label="For")
            item.get_by_role("button", name="Registrér stemme").click()
            expect(page.locator("li.item", has_text="Morgenmadsklub")).to_contain_text(f"{org}: For")
        page.screenshot(path=SHOTS / "meeting-votes-da.png", full_page=True)
        item = page.locator("li.item", has_text="Morgenmadsklub")
        item.get_by_label("Registrér beslutning").select_option(label="Afvist")
        item.get_by_role("button", name="Registrér beslutning").click()
        expect(page.get_by_role("alert")).to_contain_text("bærer ikke et afslag")  # the votes carry no rejection
        item = page.locator("li.item", has_text="Morgenmadsklub")
        item.get_by_label("Registrér beslutning").select_option(label="Godkendt")
        item.get_by_role("button", name="Registrér beslutning").click()
        expect(page.locator("li.item", has_text="Morgenmadsklub").locator(".decision")).to_have_text(
            "Godkendt som indstillet."
        )
        page.screenshot(path=SHOTS / "meeting-decided-da.png", full_page=True)
        page.goto(f"{base}/moeder/{ids['meeting']}/referat.html")
        expect(page.locator("section.item", has_text="Morgenmadsklub")).to_contain_text("Godkendt som indstillet.")
        # A member approves the minutes: the page offers only what is left to do (approve, then withdraw).
        page.context.clear_cookies()
        log_in(page, base, "morten.ebbe")
        page.goto(f"{base}/moeder/{ids['meeting']}")
        expect(page.get_by_role("button", name="Træk godkendelsen tilbage")).to_have_count(0)
        page.get_by_role("button", name="Godkend referatet").click()
        expect(page.locator("aside")).to_contain_text("Morten Ebbe")
        expect(page.get_by_role("button", name="Godkend referatet")).to_have_count(0)
        expect(page.get_by_role("button", name="Træk godkendelsen tilbage")).to_be_visible()
        page.context.clear_cookies()
        log_in(page, base, "sara.bech")
        page.goto(f"{base}/sager/{ids['case']}")
        expect(page.locator(".state")).to_have_text("Godkendt")
        expect(page.locator(".timeline")).to_contain_text("Beslutning, mødet 15.03.2017, punkt 2: Godkendt som indstillet.")
