"""Reminders and mails in real headless Chromium against the embedded service (its worker and beat running, no
SMTP): a caseworker chooses mails at once, the worker relays a submission into a kept mail she can read under
"Sendte mails", and the secretariat extends a deadline with a reason that lands in the history."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.embedded import fetch
from tests.ui import test_ui
from tests.ui.test_ui import SHOTS, api, log_in

browser, page = test_ui.browser, test_ui.page  # the same headless Chromium fixtures

pytestmark = pytest.mark.browser


def submitted_case(base: str, title: str) -> dict:
    leader = str(
        fetch(f"{base}/api/v1/auth/token", data={"username": "sara.norgaard", "password": "demo"})[1]["access_token"]
    )
    _, plans = fetch(f"{base}/api/v1/plans", token=leader)
    hp10 = next(p["id"] for p in plans if p["code"] == "HP-10")
    body = {
        "case_type": "change_request",
        "plan_id": hp10,
        "title": title,
        "data": {"kind": "content", "change_description": "x"},
    }
    case = api(base, "/api/v1/cases", leader, body)
    return api(base, f"/api/v1/cases/{case['id']}/actions/submit", leader, {"expected_version": case["version"]})


def test_mails_at_once_are_relayed_by_the_worker_and_kept_without_smtp(page: Page, embedded: str) -> None:
    log_in(page, embedded, "jakob.vinther")
    page.get_by_role("link", name="Jakob Vinther").click()
    expect(page.get_by_role("heading", name="Min profil")).to_be_visible()
    page.get_by_label("Saml mine mails i ét dagligt overblik").uncheck()
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("status")).to_have_text("Gemt.")
    page.screenshot(path=SHOTS / "profile-da.png", full_page=True)
    case = submitted_case(embedded, "Mail med det samme")
    page.goto(f"{embedded}/mails")
    row = page.locator("tr", has_text=case["reference"])
    for _ in range(40):  # the worker's beat relays the outbox every 10 seconds
        if row.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(row).to_contain_text("Nyt på sagen: Indsend")
    expect(row).to_contain_text("Gemt her (ingen SMTP)")
    page.screenshot(path=SHOTS / "mails-da.png", full_page=True)
    row.get_by_role("link").click()
    expect(page.locator("pre.mail")).to_contain_text("Du får denne mail, fordi du arbejder i sekretariatet")
    expect(page.locator("pre.mail")).to_contain_text(f"/sager/{case['id']}")


def test_the_secretariat_extends_a_deadline_with_a_reason(page: Page, embedded: str) -> None:
    case = submitted_case(embedded, "Frist der forlænges")
    log_in(page, embedded, "sara.bech")
    page.goto(f"{embedded}/sager/{case['id']}")
    deadlines = page.locator("table.deadlines")
    expect(deadlines).to_contain_text("Screening")
    expect(deadlines).to_contain_text("10 arbejdsdage")
    expect(deadlines).to_contain_text("Eskalering til formanden")
    page.get_by_text("Sæt i bero, forlæng eller udsæt påmindelser").click()
    page.get_by_label("Ny frist *").fill("2017-02-01")
    page.locator("form[action$='/extend']").get_by_label("Begrundelse (gemmes i historikken) *").fill(
        "Afventer bilag fra FSB"
    )
    page.get_by_role("button", name="Forlæng fristen").click()
    expect(page).to_have_url(re.compile(rf"/sager/{case['id']}#frister$"))
    expect(deadlines).to_contain_text("1. februar 2017")
    expect(page.locator(".timeline")).to_contain_text("Frist forlænget")
    expect(page.locator(".timeline")).to_contain_text("Afventer bilag fra FSB")
    page.screenshot(path=SHOTS / "deadline-extended-da.png", full_page=True)
    page.goto(f"{embedded}/sager?vis=indbakke")
    row = page.locator("tr", has_text=case["reference"])
    expect(row).to_contain_text("Screening 1. februar 2017")
    expect(row).to_contain_text("Næste påmindelse: 7 dage før, 25. januar 2017")


def test_a_board_member_may_snooze_but_not_move_a_deadline(page: Page, embedded: str) -> None:
    case = submitted_case(embedded, "Påmindelser der udsættes")
    log_in(page, embedded, "eva.holm")
    page.goto(f"{embedded}/sager/{case['id']}")
    page.get_by_text("Udsæt mine påmindelser").first.click()
    expect(page.locator("form[action$='/extend']")).to_have_count(0)
    page.get_by_label("Ingen påmindelser til mig før").fill("2017-01-02")
    page.get_by_role("button", name="Udsæt mine påmindelser").click()
    expect(page).to_have_url(re.compile(rf"/sager/{case['id']}#frister$"))
