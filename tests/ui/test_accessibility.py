"""WCAG 2.1 AA with axe-core (from PyPI's axe-playwright-python) on the main pages, and the phone width (375 px):
no horizontal scrolling, the action box beside (not over) the case summary, the user's name whole, a skip link."""

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.ui import test_ui
from tests.ui.test_ui import SHOTS, log_in
from tests.ui.test_ui_flow import scheduled_case

browser = test_ui.browser  # the same headless Chromium
pytestmark = pytest.mark.browser
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page: Page) -> list[str]:
    found = Axe().run(page, options=WCAG_21_AA).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


@pytest.fixture(params=[1280, 375], ids=["desktop", "phone"])
def sized(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": request.param, "height": 800}, locale="da-DK")
    yield context.new_page()
    context.close()


def test_the_main_pages_pass_axe(sized: Page, embedded: str) -> None:
    case = scheduled_case(embedded, "Tilgængelighed på alle sider")
    sized.goto(f"{embedded}/login")
    assert violations(sized) == []
    log_in(sized, embedded, "sara.norgaard")
    width = sized.viewport_size["width"] if sized.viewport_size else 0
    filtered = "/sager?vis=alle&case_type=change_request&state=ukendt&sort=-deadline"  # with a refused filter's message
    for path in (
        "/opgaver",
        "/sager?vis=alle",
        filtered,
        "/sager/ny",
        f"/sager/{case['id']}",
        "/planer",
        "/bestyrelser",
        "/profil",
    ):
        sized.goto(f"{embedded}{path}")
        sized.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")  # the hidden forms too
        assert violations(sized) == [], path
        assert sized.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways"
    sized.goto(f"{embedded}/sager/{case['id']}")
    sized.screenshot(path=SHOTS / f"case-{width}px.png", full_page=True)


def test_the_phone_width_case_page(sized: Page, embedded: str) -> None:
    case = scheduled_case(embedded, "Telefonbredde")
    log_in(sized, embedded, "sara.bech")
    sized.goto(f"{embedded}/sager/{case['id']}")
    aside, summary = sized.locator("aside").bounding_box(), sized.locator("dl.facts").first.bounding_box()
    assert aside and summary
    beside = aside["x"] >= summary["x"] + summary["width"]
    apart = aside["y"] + aside["height"] <= summary["y"] or summary["y"] + summary["height"] <= aside["y"]
    assert beside or apart, (aside, summary)  # never on top of each other
    who = sized.locator(".top .who")
    assert who.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the user's name is cut off"
    expect(who).to_be_in_viewport()
    sized.keyboard.press("Tab")
    expect(sized.get_by_role("link", name="Gå til indholdet")).to_be_focused()


def test_the_written_procedure_page_passes_axe(sized: Page, embedded: str) -> None:
    scheduled_case(embedded, "Tilgængelig skriftlig behandling")
    log_in(sized, embedded, "eva.holm")
    width = sized.viewport_size["width"] if sized.viewport_size else 0
    sized.goto(f"{embedded}/skriftlig-behandling")
    expect(sized.locator("article.procedure").first).to_be_visible()
    sized.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
    assert violations(sized) == []
    assert sized.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    sized.screenshot(path=SHOTS / f"written-procedure-{width}px.png", full_page=True)


DASHBOARDS = (
    "/statistik/gennemloebstid",
    "/statistik/tid-i-status",
    "/statistik/aabne-sager",
    "/statistik/flow",
    "/statistik/prognose",
    "/statistik/sager?case_type=change_request",
)
# The tables that do not scroll whole inside a .scroll box of their own within the window (wide ones scroll there,
# their last column reachable, instead of being clipped by the table itself or widening the page).
TABLES_CUT = """width => [...document.querySelectorAll("main table")].filter(table => {
    const box = table.closest(".scroll");
    if (!box || box.getBoundingClientRect().right > width + 1 || table.scrollWidth > table.clientWidth + 1) return true;
    box.scrollLeft = box.scrollWidth;
    const cut = table.getBoundingClientRect().right > box.getBoundingClientRect().right + 1;
    box.scrollLeft = 0;
    return cut;
}).map(table => table.id || table.className)"""


def test_the_dashboards_pass_axe_and_fit_the_phone(sized: Page, embedded: str) -> None:
    log_in(sized, embedded, "camilla.juhl")
    width = sized.viewport_size["width"] if sized.viewport_size else 0
    for path in DASHBOARDS:
        sized.goto(f"{embedded}{path}")
        expect(sized.locator("main table tbody tr").first).to_be_visible()
        if path in ("/statistik/prognose", "/statistik/aabne-sager"):
            assert violations(sized) == [], path
        assert sized.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways"
        assert sized.evaluate(TABLES_CUT, width) == [], f"{path}: tables cut off at the right edge"
        name = path.split("/")[-1].split("?")[0]
        sized.screenshot(path=SHOTS / f"dashboard-{name}-{width}px.png", full_page=True)
