"""Meeting pages in headless Chromium: scheduling by meeting date (never an id), a board's meeting calendar and a
meeting's agenda drafted from the case, in Danish and English."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.embedded import fetch
from tests.ui import test_ui
from tests.ui.test_ui import SHOTS, api, log_in

browser, page = test_ui.browser, test_ui.page  # the same headless Chromium fixtures
pytestmark = pytest.mark.browser


def _ready_case(base: str, title: str) -> dict:
    token = str(fetch(f"{base}/api/v1/auth/token", data={"username": "sara.bech", "password": "demo"})[1]["access_token"])
    _, plans = fetch(f"{base}/api/v1/plans", token=token)
    hp10 = next(p["id"] for p in plans if p["code"] == "HP-10")
    data = {"kind": "content", "change_description": "Lektiecafé i stedet for ungdomsklub"}
    case = api(base, "/api/v1/cases", token, {"case_type": "change_request", "plan_id": hp10, "title": title, "data": data})
    for action in ("submit", "start_screening", "mark_ready"):
        case = api(base, f"/api/v1/cases/{case['id']}/actions/{action}", token, {"expected_version": case["version"]})
    return case


def test_scheduling_offers_meetings_by_date_and_the_agenda_shows_the_item(page: Page, embedded: str) -> None:
    case = _ready_case(embedded, "Lektiecafé på Voldparken")
    log_in(page, embedded, "sara.bech")
    page.goto(f"{embedded}/sager/{case['id']}")
    page.locator("summary", has_text="Sæt på dagsorden").click()
    picker = page.locator("#schedule-meeting_id option")
    expect(picker.first).to_have_text("15. marts 2017 14.00 (frist 1. marts 2017)")
    expect(picker.last).to_have_text(re.compile(r"^Skriftlig behandling, svarfrist \d{1,2}\. [a-zæøå]+ \d{4}$"))
    assert not [text for text in picker.all_text_contents() if text.strip().isdigit()]  # no bare meeting ids
    page.screenshot(path=SHOTS / "case-schedule-picker-da.png", full_page=True)
    page.locator("#schedule-meeting_id").select_option(label="15. marts 2017 14.00 (frist 1. marts 2017)")
    page.get_by_role("button", name="Sæt på dagsorden").click()
    expect(page.locator(".state")).to_have_text("Sat på dagsorden")
    expect(page.locator(".timeline")).to_contain_text("Sæt på dagsorden")
    expect(page.locator(".timeline")).to_contain_text("Møde: 15. marts 2017 14.00")  # the meeting by its date, not its id

    page.get_by_role("link", name="Bestyrelser").click()
    page.locator("section.card", has_text="Bydelsbestyrelse Brønshøj/Husum/Tingbjerg").get_by_role(
        "link", name="Møder"
    ).click()
    expect(page.get_by_role("heading", name=re.compile("^Møder"))).to_be_visible()
    upcoming, held = page.locator("table.grid").nth(0), page.locator("table.grid").nth(1)
    expect(page.locator("h2").nth(0)).to_have_text("Kommende møder")  # what is ahead comes first
    expect(upcoming).to_contain_text("15. marts 2017 14.00")
    expect(upcoming).not_to_contain_text("Afholdt")
    expect(held.locator("tbody tr").first).to_contain_text("2016")  # the latest held meeting first
    expect(held.locator("tbody tr").first).to_contain_text("Afholdt")  # a past meeting is not "planned"
    page.get_by_role("link", name="15. marts 2017 14.00").click()
    item = page.locator("li.item", has_text="Lektiecafé på Voldparken")
    expect(item).to_contain_text("Beslutningssag")
    expect(item).to_contain_text("at Bydelsbestyrelse Brønshøj/Husum/Tingbjerg godkender ændringsanmodning")
    expect(page.locator("dl.facts")).to_contain_text("1. marts 2017")
    page.screenshot(path=SHOTS / "meeting-agenda-da.png", full_page=True)
    pdf = page.request.get(f"{page.url}/dagsorden.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    page.get_by_role("link", name="EN", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Meeting of"))).to_be_visible()
    expect(page.locator("li.item", has_text="Lektiecafé på Voldparken")).to_contain_text("Decision")
    page.screenshot(path=SHOTS / "meeting-agenda-en.png", full_page=True)
    page.get_by_role("link", name="DA", exact=True).click()  # the switch is kept on the account: back to Danish
