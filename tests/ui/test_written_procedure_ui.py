"""Written procedure in headless Chromium: a member finds the case from "Mine opgaver", reads the indstilling and
the deadline, and votes for her organisation; a non-party member reads along without a vote; a City member gives an
advisory statement; the last party's vote closes the round and approves the case."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.ui import test_ui
from tests.ui.test_ui import SHOTS, log_in
from tests.ui.test_ui_flow import scheduled_case

browser, page = test_ui.browser, test_ui.page  # the same headless Chromium fixtures
pytestmark = pytest.mark.browser


def log_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^(Log ud|Log out)$")).click()


def test_members_vote_in_writing_and_the_round_closes_itself(page: Page, embedded: str) -> None:
    case = scheduled_case(embedded, "Lektiecafé om søndagen")
    log_in(page, embedded, "eva.holm")
    row = page.locator("table.tasks tr", has_text=case["reference"])
    expect(row).to_contain_text("Parternes stemmer (skriftlig behandling)")  # what it waits for: not "a meeting"
    row.get_by_role("link", name="Afgiv stemme", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/skriftlig-behandling#sag-{case['id']}$"))
    expect(page.get_by_role("heading", name="Skriftlig behandling", exact=True)).to_be_visible()
    mine = page.locator(f"#sag-{case['id']}")
    expect(mine).to_contain_text("Svarfrist")
    expect(mine.locator("ol li").first).to_contain_text("at Bydelsbestyrelse Brønshøj/Husum/Tingbjerg godkender")
    expect(mine).to_contain_text("Lektiecafé om søndagen")  # the sagsfremstilling
    expect(mine.locator("table.ballots tbody tr")).to_have_count(2)
    expect(mine.locator("table.ballots")).to_contain_text("Afventer")
    expect(mine).to_contain_text("Du stemmer for")
    mine.get_by_label("For", exact=True).check()
    mine.get_by_label("Bemærkning").fill("FSB støtter lektiecaféen.")
    mine.get_by_role("button", name="Afgiv stemme").click()
    expect(page.locator(".flash")).to_have_text("Din stemme er afgivet.")
    mine = page.locator(f"#sag-{case['id']}")
    fsb = mine.locator("table.ballots tr", has_text="FSB")
    expect(fsb).to_contain_text("For")
    expect(fsb).to_contain_text("Eva Holm")
    expect(fsb).to_contain_text("FSB støtter lektiecaféen.")
    expect(mine).to_contain_text("FSB har stemt.")
    expect(mine.get_by_role("button", name="Afgiv stemme")).to_have_count(0)  # once per organisation
    page.screenshot(path=SHOTS / "written-procedure-voted-da.png", full_page=True)
    page.get_by_role("link", name="EN", exact=True).click()
    expect(page.get_by_role("heading", name="Written procedure", exact=True)).to_be_visible()
    expect(page.locator(f"#sag-{case['id']}")).to_contain_text("FSB has voted.")
    page.screenshot(path=SHOTS / "written-procedure-voted-en.png", full_page=True)
    page.get_by_role("link", name="DA", exact=True).click()  # the switch is kept on the account: back to Danish
    page.goto(f"{embedded}/sager/{case['id']}")
    expect(page.locator(".writing")).to_contain_text("Sagen er i skriftlig behandling")
    expect(page.locator("#vote-vote")).to_have_count(0)  # her organisation has voted: no second vote here either
    log_out(page)

    # A member for SAB (not a party to HP-10) reads along; a City member gives an advisory statement.
    log_in(page, embedded, "niels.ravn")
    page.goto(f"{embedded}/skriftlig-behandling")
    theirs = page.locator(f"#sag-{case['id']}")
    expect(theirs).to_contain_text("Du stemmer ikke i denne sag: kun planens parter (AAB, FSB) stemmer.")
    expect(theirs.get_by_role("button")).to_have_count(0)
    log_out(page)
    log_in(page, embedded, "henrik.bay")
    page.goto(f"{embedded}/skriftlig-behandling")
    city = page.locator(f"#sag-{case['id']}")
    expect(city.get_by_role("button", name="Afgiv stemme")).to_have_count(0)
    city.locator("summary", has_text="Afgiv udtalelse").click()
    city.get_by_label("Udtalelse", exact=True).fill("Forvaltningen anbefaler lektiecaféen.")
    city.get_by_role("button", name="Afgiv udtalelse").click()
    expect(page.locator(".flash")).to_have_text("Din udtalelse er registreret.")
    expect(page.locator(f"#sag-{case['id']} .statements")).to_contain_text("TMF (Henrik Bay)")
    page.screenshot(path=SHOTS / "written-procedure-statement-da.png", full_page=True)
    log_out(page)

    # The last party's vote closes the round: the case is approved, once, by the service.
    log_in(page, embedded, "bo.iversen")
    page.goto(f"{embedded}/skriftlig-behandling")
    last = page.locator(f"#sag-{case['id']}")
    last.get_by_label("For", exact=True).check()
    last.get_by_role("button", name="Afgiv stemme").click()
    expect(page.locator(".flash")).to_have_text("Din stemme var den sidste, og runden er afsluttet: Godkendt.")
    expect(page.locator(f"#sag-{case['id']}")).to_have_count(0)
    page.goto(f"{embedded}/sager/{case['id']}")
    expect(page.locator(".state")).to_have_text("Godkendt")
    expect(page.locator(".timeline")).to_contain_text("Beslutning ved skriftlig behandling")
    expect(page.locator(".timeline")).to_contain_text(
        "Udtalelse fra TMF (Henrik Bay): Forvaltningen anbefaler lektiecaféen."
    )
