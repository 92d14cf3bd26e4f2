"""Issue 13 in a real browser: what is typed is what is stored, steps that end a case are confirmed, a vote is
acknowledged, a stale page keeps the comment, and "Mine opgaver" holds only cases still waiting for the user."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.embedded import fetch
from tests.ui import test_ui
from tests.ui.test_ui import SHOTS, api, log_in

browser, page = test_ui.browser, test_ui.page  # the same headless Chromium fixtures
pytestmark = pytest.mark.browser


def token(base: str, username: str) -> str:
    return str(fetch(f"{base}/api/v1/auth/token", data={"username": username, "password": "demo"})[1]["access_token"])


def scheduled_case(base: str, title: str) -> dict:
    """A content change on HP-10, on the board's agenda in written procedure (as the secretariat would put it)."""
    tokens = {u: token(base, u) for u in ("sara.norgaard", "sara.bech")}
    _, plans = fetch(f"{base}/api/v1/plans", token=tokens["sara.bech"])
    hp10 = next(p["id"] for p in plans if p["code"] == "HP-10")
    body = {"kind": "content", "change_description": title}
    case = api(
        base,
        "/api/v1/cases",
        tokens["sara.norgaard"],
        {"case_type": "change_request", "plan_id": hp10, "title": title, "data": body},
    )
    for who, action, data in [
        ("sara.norgaard", "submit", {}),
        ("sara.bech", "start_screening", {}),
        ("sara.bech", "mark_ready", {}),
        ("sara.bech", "schedule", {"written_procedure": True}),
    ]:
        path = f"/api/v1/cases/{case['id']}/actions/{action}"
        case = api(base, path, tokens[who], {"expected_version": case["version"], "data": data})
    return case


def fill_move(page: Page, row: int, amount: str) -> None:
    prefix = f"#new-budget_moves-{row}-"
    page.locator(prefix + "from_area").select_option("UB")
    page.locator(prefix + "from_year").fill("2017")
    page.locator(prefix + "from_funder").select_option("LBF")
    page.locator(prefix + "to_area").select_option("TT")
    page.locator(prefix + "to_year").fill("2017")
    page.locator(prefix + "to_funder").select_option("LBF")
    page.locator(prefix + "amount_dkk").fill(amount)


def test_bad_input_is_refused_in_danish_and_kept(page: Page, embedded: str) -> None:
    log_in(page, embedded, "sara.norgaard")
    page.get_by_role("link", name="Ny sag").click()
    expect(page.locator("#subject option:checked")).to_have_text("HP-10 Husum for Alle")  # the plan she leads
    page.locator("#title").evaluate("e => e.removeAttribute('required')")
    page.locator("#title").fill("   ")
    page.get_by_label("Art *").select_option(label="Økonomi")
    fill_move(page, 0, "50.000")
    page.get_by_role("button", name="Opret sag").click()
    expect(page.get_by_role("alert")).to_have_text("Titel skal udfyldes.")
    expect(page.locator("#new-budget_moves-0-amount_dkk")).to_have_value("50.000")  # what was typed is kept
    page.locator("#title").fill("Flyt penge, forkert beløb")
    fill_move(page, 0, "12,5")
    page.get_by_role("button", name="Opret sag").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Budgetflytninger, række 1, Beløb (kr.) skal være et helt tal, fx 50.000."
    )


def test_an_economic_change_typed_the_danish_way_is_stored_once(page: Page, embedded: str) -> None:
    log_in(page, embedded, "sara.norgaard")
    page.goto(f"{embedded}/sager/ny")
    page.get_by_label("Titel *").fill("Flyt 50.000 kr. til tryghed")
    page.get_by_label("Art *").select_option(label="Økonomi")
    fill_move(page, 0, "50.000 kr.")
    page.get_by_role("button", name="Opret sag").click()
    expect(page.locator(".flash")).to_have_text("Sagen er oprettet.")
    expect(page.locator("ul.moves")).to_contain_text(
        "Fra UB Uddannelse og beskæftigelse 2017 (LBF) til TT Tryghed og trivsel 2017 (LBF): 50.000 kr."
    )
    page.screenshot(path=SHOTS / "case-economic-da.png", full_page=True)
    case_url = page.url
    page.go_back()  # back to the form, and "Opret sag" again: the same case, not a second one
    if page.get_by_label("Titel *").input_value() == "":  # the browser fetched the form anew: typed again
        page.get_by_label("Titel *").fill("Flyt 50.000 kr. til tryghed")
        page.get_by_label("Art *").select_option(label="Økonomi")
        fill_move(page, 0, "50.000")
    page.get_by_role("button", name="Opret sag").click()
    expect(page).to_have_url(case_url)
    page.goto(f"{embedded}/sager?vis=alle&q=HP-10")
    expect(page.locator("tr", has_text="Flyt 50.000 kr. til tryghed")).to_have_count(1)
    page.goto(f"{embedded}/sager?vis=alle&q=Husum")
    expect(page.locator("tr", has_text="Flyt 50.000 kr. til tryghed")).to_have_count(1)


def test_enter_never_ends_a_case_and_withdrawing_is_confirmed(page: Page, embedded: str) -> None:
    log_in(page, embedded, "sara.norgaard")
    page.goto(f"{embedded}/sager/ny")
    page.get_by_label("Titel *").fill("Kladde der trækkes tilbage")
    page.get_by_label("Beskrivelse af ændringen").fill("Prøve")
    page.get_by_role("button", name="Opret sag").click()
    page.get_by_label("Bemærkning: Indsend").fill("første linje")
    page.get_by_label("Bemærkning: Indsend").press("Enter")  # a new line, not a submission
    expect(page.locator(".state")).to_have_text("Kladde")
    withdraw = page.locator("form.final")
    withdraw.locator("summary").click()
    expect(withdraw.get_by_role("button", name="Træk tilbage")).to_have_class("danger")
    withdraw.get_by_role("button", name="Træk tilbage").click()  # the confirmation is not ticked: nothing happens
    expect(page.locator(".state")).to_have_text("Kladde")
    withdraw.locator("input[name=confirm]").evaluate("e => e.removeAttribute('required')")
    withdraw.get_by_role("button", name="Træk tilbage").click()  # and the server refuses it too
    expect(page.get_by_role("alert")).to_contain_text("Sæt kryds i bekræftelsen")
    expect(page.locator("form.final details")).to_have_attribute("open", "")  # the refused step stays open
    page.locator("form.final").get_by_label("Ja, jeg vil gøre dette").check()
    page.locator("form.final").get_by_role("button", name="Træk tilbage").click()
    expect(page.locator(".state")).to_have_text("Trukket tilbage")
    expect(page.locator(".flash")).to_have_text("»Træk tilbage« er udført.")


def test_a_vote_is_acknowledged_and_leaves_the_members_tasks(page: Page, embedded: str) -> None:
    case = scheduled_case(embedded, "Lektiehjælp om lørdagen")
    log_in(page, embedded, "eva.holm")
    expect(page.locator("table.tasks")).to_contain_text(case["reference"])
    expect(page.locator("table.tasks thead")).to_contain_text("Forventet afgørelse")
    expected = page.locator("table.tasks tr", has_text=case["reference"]).locator("td").nth(7)
    expect(expected).to_have_text(re.compile(r"^\d{1,2}\. \w+ \d{4}$"))  # written procedure: a date, written out
    page.get_by_role("link", name=case["reference"]).click()
    expect(page.get_by_role("button", name="Træk tilbage")).to_have_count(0)  # not beside her vote
    expect(page.locator(".round")).to_have_text("0 af 2 parter har stemt")
    page.locator("#vote-vote").select_option(label="For")
    page.get_by_role("button", name="Afgiv stemme").click()
    expect(page.locator(".flash")).to_have_text("Du har stemt.")
    expect(page.locator(".round")).to_have_text("Du har stemt · 1 af 2 parter har stemt")
    expect(page.locator("#vote-vote")).not_to_be_visible()  # the form is closed
    expect(page.get_by_role("button", name="Træk tilbage")).to_have_count(0)
    page.screenshot(path=SHOTS / "case-voted-da.png", full_page=True)
    page.get_by_role("link", name="Mine opgaver").click()
    expect(page.get_by_role("link", name=case["reference"])).to_have_count(0)


def test_a_stale_page_keeps_the_comment_and_says_who_acted(page: Page, embedded: str) -> None:
    case = scheduled_case(embedded, "Frivilligfest")
    log_in(page, embedded, "sara.bech")
    page.goto(f"{embedded}/sager/{case['id']}")
    api(  # meanwhile, in another tab, she records the meeting's postponement
        embedded,
        f"/api/v1/cases/{case['id']}/actions/postpone",
        token(embedded, "sara.bech"),
        {"expected_version": case["version"], "comment": "udsat"},
    )
    form = page.locator("form.action", has=page.get_by_role("button", name="Udsæt", exact=True))
    form.locator("summary").click() if form.locator("summary").count() else None
    form.locator("textarea").fill("Udsat til næste møde")
    form.get_by_role("button", name="Udsæt", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Sagen blev ændret, mens du havde siden åben (Sara Bech: »Udsæt«)")
    expect(page.locator("textarea", has_text="Udsat til næste møde")).to_have_count(1)


def test_dates_are_written_out_and_history_names_people(page: Page, embedded: str) -> None:
    log_in(page, embedded, "sara.bech")
    page.goto(f"{embedded}/sager?vis=alle")
    page.locator("tbody a").first.click()
    expect(page.locator(".timeline .when").first).to_have_text(re.compile(r"^\d{1,2}\. [a-zæøå]+ \d{4} \d{2}\.\d{2}$"))
    expect(page.locator(".timeline .who").first).not_to_contain_text(".")  # "Sara Bech", not "sara.bech"


def test_unknown_addresses_answer_a_danish_page_and_json_under_the_api(page: Page, embedded: str) -> None:
    response = page.goto(f"{embedded}/findes/ikke")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Siden findes ikke")).to_be_visible()
    response = page.goto(f"{embedded}/sager/abc")
    assert response is not None and response.status == 404
    api_answer = page.request.get(f"{embedded}/api/v1/findes-ikke")
    assert api_answer.status == 404 and api_answer.headers["content-type"].startswith("application/problem+json")


def test_comments_and_documents_on_the_case_page(page: Page, embedded: str, tmp_path) -> None:
    case = scheduled_case(embedded, "Bilag til lektiehjælp")
    log_in(page, embedded, "sara.bech")
    page.goto(f"{embedded}/sager/{case['id']}")
    page.get_by_label("Tilføj bemærkning").fill("Budgettet er gennemgået.")
    page.locator("#thread-visibility").select_option("shared")
    page.get_by_role("button", name="Tilføj bemærkning").click()
    expect(page.locator(".flash")).to_have_text("Bemærkningen er tilføjet.")
    expect(page.locator("ol.comments")).to_contain_text("Budgettet er gennemgået.")
    expect(page.locator("ol.comments")).to_contain_text("Sara Bech")
    letter = tmp_path / "svar fra FSB.txt"
    letter.write_text("FSB stemmer for.\n", encoding="utf-8")
    page.get_by_label("Fil", exact=True).set_input_files(letter)
    page.get_by_role("button", name="Vedhæft dokument").click()
    expect(page.locator(".flash")).to_have_text("Dokumentet er vedhæftet.")
    link = page.get_by_role("link", name="svar fra FSB.txt")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "svar fra FSB.txt"
    assert Path(download.value.path()).read_text(encoding="utf-8") == "FSB stemmer for.\n"
    page.get_by_role("button", name="Tilføj bemærkning").click()  # nothing typed: the browser asks first
    expect(page.locator("ol.comments li")).to_have_count(1)
    assert page.get_by_label("Tilføj bemærkning").evaluate("e => e.validity.valueMissing")


def test_small_things_a_resident_the_plan_page_and_the_default_rule(page: Page, embedded: str) -> None:
    log_in(page, embedded, "hassan.omar")  # resident-elected in HP-10's local group
    page.goto(f"{embedded}/sager/ny")
    expect(page.get_by_role("status")).to_contain_text("Du kan ikke oprette sager af denne type")
    expect(page.get_by_role("button", name="Opret sag")).to_have_count(0)
    page.get_by_role("button", name="Log ud").click()
    log_in(page, embedded, "sara.norgaard")
    page.goto(f"{embedded}/planer")
    page.get_by_role("link", name="HP-10").click()
    page.get_by_role("link", name="Ny sag: Ændringsanmodning").click()
    expect(page.locator("#subject option:checked")).to_have_text("HP-10 Husum for Alle")
    page.get_by_role("button", name="Log ud").click()
    tokens = {u: token(embedded, u) for u in ("sara.norgaard", "sara.bech")}
    _, plans = fetch(f"{embedded}/api/v1/plans", token=tokens["sara.bech"])
    hp10 = next(p["id"] for p in plans if p["code"] == "HP-10")
    body = {"case_type": "change_request", "plan_id": hp10, "title": "Standardreglen", "data": {"kind": "content"}}
    body["data"]["change_description"] = "Ny aktivitet"
    case = api(embedded, "/api/v1/cases", tokens["sara.norgaard"], body)
    for who, action in (("sara.norgaard", "submit"), ("sara.bech", "start_screening")):
        path = f"/api/v1/cases/{case['id']}/actions/{action}"
        case = api(embedded, path, tokens[who], {"expected_version": case["version"], "data": {}})
    log_in(page, embedded, "sara.bech")
    page.goto(f"{embedded}/sager/{case['id']}")
    expect(page.locator("select option", has_text="Efter standardreglen").first).to_have_text(
        "Efter standardreglen: kræver ikke LBF's godkendelse for denne sag, medmindre ændringen er væsentlig"
    )
