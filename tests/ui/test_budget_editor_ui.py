"""The budget-move editor in headless Chromium, at desktop and phone width: typing "50.000" shows what the line
has available and the budget before and after; an impossible move is refused as it is typed (in an aria-live region
that axe finds clean), and once mended the change is opened."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.embedded import fetch
from tests.ui import test_ui
from tests.ui.test_accessibility import violations
from tests.ui.test_ui import SHOTS, api, log_in
from tests.ui.test_ui_flow import token

browser = test_ui.browser  # the same headless Chromium
pytestmark = pytest.mark.browser
ROW = "#new-budget_moves-0-"


def kr(amount: int) -> str:
    return f"{amount:,} kr.".replace(",", ".")


@pytest.fixture(params=[1280, 375], ids=["desktop", "phone"])
def sized(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": request.param, "height": 900}, locale="da-DK")
    page = context.new_page()
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith("http://127.0.0.1") else None)
    yield page
    context.close()
    assert external == [], f"the page asked the internet for {external}"


def hp10(base: str, auth: str) -> int:
    _, plans = fetch(f"{base}/api/v1/plans", token=auth)
    return int(next(p["id"] for p in plans if p["code"] == "HP-10"))


def held(base: str, area: str, year: int, funder: str) -> int:
    """What the line holds in HP-10's budget, as the API says."""
    auth = token(base, "sara.norgaard")
    _, plan = fetch(f"{base}/api/v1/plans/{hp10(base, auth)}", token=auth)
    lines = next(a["lines"] for a in plan["budget"] if a["activity_area"] == area)
    return int(next(x["amount_dkk"] for x in lines if x["year"] == year and x["funder"] == funder))


def test_moves_are_checked_as_they_are_typed_and_the_mended_change_is_opened(sized: Page, embedded: str) -> None:
    page, width = sized, sized.viewport_size["width"] if sized.viewport_size else 0
    title = f"Flyt penge til tryghed ({width} px)"
    log_in(page, embedded, "sara.norgaard")
    page.goto(f"{embedded}/sager/ny")
    expect(page.locator("#subject option:checked")).to_have_text("HP-10 Husum for Alle")
    page.get_by_label("Titel *").fill(title)
    page.get_by_label("Art *").select_option(label="Økonomi")
    page.get_by_label("Beskrivelse af ændringen", exact=True).fill("Flere timer til tryghedsvandringer")
    expect(page.get_by_role("button", name="Vis budgettet før og efter")).to_be_hidden()  # the script shows it live
    page.locator(ROW + "from_area").select_option("UB")
    page.locator(ROW + "from_year").fill("2017")
    page.locator(ROW + "from_funder").select_option("LBF")
    available = page.locator(ROW + "from-available")
    expect(available).to_have_text(re.compile(r"^Til rådighed på linjen: [0-9.]+ kr\.$"))
    free = int(re.sub(r"\D", "", available.inner_text()))
    page.locator(ROW + "to_area").select_option("TT")
    page.locator(ROW + "to_year").fill("2017")
    page.locator(ROW + "to_funder").select_option("LBF")
    expect(page.locator(ROW + "to-available")).to_have_text(re.compile(r"^Til rådighed på linjen: [0-9.]+ kr\.$"))
    page.locator(ROW + "amount_dkk").press_sequentially("50.000")

    table = page.get_by_role("table", name="Budgettet før og efter flytningerne")
    before = held(embedded, "UB", 2017, "LBF")
    source = table.locator("tbody", has_text="UB Uddannelse og beskæftigelse 2017")
    expect(source).to_have_text(
        re.compile(
            rf"{re.escape(kr(before))}\s*-{re.escape(kr(50_000))}\s*"
            rf"{re.escape(kr(before - 50_000))}"
        )
    )
    expect(table.locator("tbody", has_text="TT Tryghed og trivsel 2017")).to_contain_text(f"+{kr(50_000)}")
    message = page.locator("#new-moves-message")
    expect(message).to_have_attribute("aria-live", "polite")
    expect(message).to_have_text("")
    page.screenshot(path=SHOTS / f"budget-editor-{width}px.png", full_page=True)

    too_much = free + 10_000
    page.locator(ROW + "amount_dkk").fill("")
    page.locator(ROW + "amount_dkk").press_sequentially(f"{too_much:,}".replace(",", ".") + " kr.")
    expect(message).to_have_text(
        f"Der er kun {kr(free)} til rådighed på UB Uddannelse og beskæftigelse 2017 (LBF); flytningerne tager {kr(too_much)}"
    )
    expect(page.locator(ROW + "amount_dkk")).to_have_attribute("aria-invalid", "true")
    assert violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the editor scrolls sideways"
    message.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"budget-editor-refused-{width}px.png", full_page=True)

    page.locator(ROW + "amount_dkk").fill("50.000")
    expect(message).to_have_text("")
    expect(page.locator(ROW + "amount_dkk")).not_to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Opret sag").click()
    expect(page.locator(".flash")).to_have_text("Sagen er oprettet.")
    expect(page.locator("ul.moves")).to_contain_text(
        "Fra UB Uddannelse og beskæftigelse 2017 (LBF) til TT Tryghed og trivsel 2017 (LBF): 50.000 kr."
    )


def test_without_the_script_the_form_is_refused_when_sent(browser: Browser, embedded: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="da-DK")
    page = context.new_page()
    log_in(page, embedded, "sara.norgaard")
    page.goto(f"{embedded}/sager/ny")
    page.get_by_label("Titel *").fill("Flyt uden modpost")
    page.get_by_label("Art *").select_option(label="Økonomi")
    page.locator(ROW + "from_area").select_option("UB")
    page.locator(ROW + "from_year").fill("2017")
    page.locator(ROW + "from_funder").select_option("LBF")
    page.locator(ROW + "amount_dkk").fill("12.000")
    page.get_by_role("button", name="Vis budgettet før og efter").click()  # shown, not stored
    expect(page.get_by_role("table", name="Budgettet før og efter flytningerne")).to_contain_text(f"-{kr(12_000)}")
    expect(page.locator(ROW + "from-available")).to_contain_text("Til rådighed på linjen:")
    page.get_by_role("button", name="Opret sag").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Flytningerne er ikke i balance: der mangler 12.000 kr. på en til-linje. "
        "Sæt kryds ved »Ændrer totalen«, hvis planens samlede budget skal ændres."
    )
    expect(page.locator(ROW + "amount_dkk")).to_have_value("12.000")
    context.close()


def test_the_drafts_edit_form_checks_its_moves_as_they_are_typed(sized: Page, embedded: str) -> None:
    page, width = sized, sized.viewport_size["width"] if sized.viewport_size else 0
    auth = token(embedded, "sara.norgaard")
    move = {"from_area": "UB", "from_year": 2017, "from_funder": "LBF", "to_area": "TT", "to_year": 2017}
    data = {
        "kind": "economic",
        "change_description": "Flyt",
        "budget_moves": [move | {"to_funder": "LBF", "amount_dkk": 10_000}],
    }
    body = {"case_type": "change_request", "plan_id": hp10(embedded, auth), "title": f"Kladde ({width} px)", "data": data}
    case = api(embedded, "/api/v1/cases", auth, body)
    log_in(page, embedded, "sara.norgaard")
    page.goto(f"{embedded}/sager/{case['id']}")
    page.locator("summary", has_text="Redigér").click()
    available = page.locator("#edit-budget_moves-0-from-available")
    expect(available).to_have_text(re.compile(r"^Til rådighed på linjen: [0-9.]+ kr\.$"))  # the stored row, on load
    free = int(re.sub(r"\D", "", available.inner_text()))
    amount = page.locator("#edit-budget_moves-0-amount_dkk")
    expect(amount).to_have_value("10.000")
    expect(page.locator("#edit-changes_total option").first).not_to_contain_text("LBF")  # the LBF rule is not its
    amount.fill(f"{free + 1:,}".replace(",", "."))
    expect(page.locator("#edit-moves-message")).to_have_text(re.compile(rf"^Der er kun {re.escape(kr(free))} til rådighed"))
    expect(page.locator("#edit-moves-preview")).to_contain_text(f"-{kr(free + 1)}")
    assert violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the edit form scrolls sideways"
    page.locator("#edit-moves-message").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"budget-editor-draft-{width}px.png", full_page=True)
