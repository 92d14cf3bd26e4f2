"""The dashboard pages in headless Chromium on the embedded demo (its history played through the engine)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.ui import test_ui
from tests.ui.test_ui import SHOTS, log_in

browser, page = test_ui.browser, test_ui.page  # the same headless Chromium fixtures

pytestmark = pytest.mark.browser


def charts_drawn(page: Page) -> None:
    """Every chart on the page arrived as an SVG the browser could draw."""
    for image in page.locator("figure.chart img").all():
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), image.get_attribute("src")


def test_lead_times_with_survival_curves_and_the_cases_behind_a_number(page: Page, embedded: str) -> None:
    log_in(page, embedded, "camilla.juhl")
    expect(page.get_by_role("heading", name="Mine opgaver")).to_be_visible()
    page.get_by_role("banner").get_by_role("link", name="Statistik", exact=True).click()
    expect(page.get_by_role("heading", name="Gennemløbstid")).to_be_visible()
    rows = page.locator("#lead-times tbody tr")
    expect(rows.first).to_contain_text("Ændringsanmodning")
    charts_drawn(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "dashboard-lead-times-da.png", full_page=True)
    count = rows.filter(has_text="Ændringsanmodning").locator("td.num a").first
    number = int(count.inner_text())
    count.click()
    expect(page.get_by_role("heading", name="Sagerne bag tallet")).to_be_visible()
    expect(page.get_by_text(re.compile(rf"^{number} sager"))).to_be_visible()
    page.locator("#cases-behind a").first.click()
    expect(page).to_have_url(re.compile(r"/sager/\d+$"))


def test_each_question_has_its_page_with_a_table_and_filters(page: Page, embedded: str) -> None:
    log_in(page, embedded, "camilla.juhl")
    tabs = (
        ("Tid i hver status", "#time-in-state", "time-in-state"),
        ("Åbne sager", "#open-cases", "open-cases"),
        ("Tilgang og afslutning", "#throughput", "flow"),
        ("Forventet afgørelse", "#forecasts", "forecast"),
    )
    for tab, table, shot in tabs:
        page.goto(f"{embedded}/statistik")
        page.get_by_role("navigation").get_by_role("link", name=tab).click()
        expect(page.locator(f"{table} tbody tr").first).to_be_visible()
        charts_drawn(page)
        page.screenshot(path=SHOTS / f"dashboard-{shot}-da.png", full_page=True)
    page.get_by_role("navigation").get_by_role("link", name="Tilgang og afslutning").click()
    page.get_by_label("Sagstype").select_option("change_request")
    page.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(r"case_type=change_request"))
    charts_drawn(page)


def test_the_dashboards_in_english_for_a_board_member(page: Page, embedded: str) -> None:
    log_in(page, embedded, "eva.holm")
    page.goto(f"{embedded}/statistik")
    page.get_by_role("link", name="EN", exact=True).click()
    expect(page.get_by_role("heading", name="Lead time")).to_be_visible()
    page.get_by_role("link", name="Working days").click()
    expect(page.locator("#lead-times thead")).to_contain_text("Case type")
    charts_drawn(page)
    page.screenshot(path=SHOTS / "dashboard-lead-times-en-board-member.png", full_page=True)
    page.get_by_role("link", name="DA", exact=True).click()  # the switch is kept on the account: back to Danish


PAGES = ("gennemloebstid", "tid-i-status", "aabne-sager", "flow", "prognose")
NOT_COUNTS = {"#open-cases": None, "#forecasts-held": 5}  # per-case rows link to the case; slip columns are days


def test_every_count_links_to_the_cases_behind_it(page: Page, embedded: str) -> None:
    log_in(page, embedded, "camilla.juhl")
    for name in PAGES:
        page.goto(f"{embedded}/statistik/{name}")
        for table in page.locator("main table").all():
            skip = NOT_COUNTS.get(f"#{table.get_attribute('id')}", -1)
            for row in table.locator("tbody tr").all():
                for i, cell in enumerate(row.locator("td.num").all()):
                    counted = re.fullmatch(r"\d+ ?%?", cell.inner_text().strip())
                    if counted and skip is not None and (skip < 0 or i < skip):
                        where = (name, table.get_attribute("id"), i, cell.inner_text())
                        assert cell.locator("a[href^='/statistik/sager']").count() == 1, where
            if skip is None:
                for row in table.locator("tbody tr").all():
                    assert row.locator("a[href^='/sager/']").count() == 1


def behind(page: Page, link: str) -> int:
    """Follow a number's link; the number of cases the page lists."""
    page.locator(link).first.click()
    return int(re.match(r"\d+", page.locator("main p.hint").first.inner_text()).group())  # type: ignore[union-attr]


def test_the_cases_behind_a_count_are_as_many_as_it_says(page: Page, embedded: str) -> None:
    log_in(page, embedded, "camilla.juhl")
    checks = (
        ("flow", "#throughput tbody tr:nth-child(20) td:nth-child(4) a"),  # in progress at a month's end
        ("flow", "#throughput tbody tr:nth-child(20) td:nth-child(3) a"),  # completed in a month
        ("aabne-sager", "main p a:has-text('overskredne')"),  # open cases with overdue deadlines
        ("prognose", "#forecasts-lbf tbody tr td:nth-child(4) a"),  # LBF's answers expected in a month
        ("prognose", "#forecasts tbody tr td:nth-child(3) a"),  # expected decisions at a meeting
        ("prognose", "#forecasts-decisions tbody tr td:nth-child(2) a"),  # expected (final) decisions in a month
        ("prognose", "#forecasts-decisions tbody tr td:nth-child(3) a"),  # ... of them with an overdue step
        ("prognose", "#forecasts-decisions tbody tr td:nth-child(4) a"),  # ... of them ending with LBF's answer
    )
    for name, link in checks:
        page.goto(f"{embedded}/statistik/{name}")
        number = int(re.search(r"\d+", page.locator(link).first.inner_text()).group())  # type: ignore[union-attr]
        assert behind(page, link) == number, (name, link)
