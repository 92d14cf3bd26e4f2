"""The case list (/sager) on both backends: each filter against a plain reading of the rows, every column sorted
both ways, the pages, the CSV and Excel export read back and compared with the page, bad filter values as a
message, visibility as the API has it; then the same in headless Chromium on a served register of 180 cases."""

import csv
import io
import math
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import openpyxl
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.demo.scale import generate
from service.demo.seed import DEMO_TODAY, seed_demo
from service.main import create_app
from service.persistence import migrate
from service.persistence.case_tables import CASE_DEADLINES, CASES
from service.persistence.db import make_engine
from service.persistence.tables import Board, District, Plan
from tests.conftest import make_settings
from tests.embedded import BIN, clean_env, fetch, free_port, run
from tests.service.test_sessions import api_token, ui_login
from tests.ui import test_ui
from tests.ui.test_accessibility import violations
from tests.ui.test_ui import SHOTS, log_in
from workflows.registry import WORKFLOWS

GENERATED = 260
HEADINGS = ["Sagsnr.", "Titel", "Sagstype", "Helhedsplan", "Status", "Næste frist"]
PLANS, BOARDS, DISTRICTS = Plan.__table__, Board.__table__, District.__table__  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def listed(backend: str, empty_database_factory, redis_url: str, tmp_path_factory) -> Iterator[tuple[Any, Engine]]:
    """An app on the demo register with GENERATED more cases (as `seed-demo --scale` makes them)."""
    settings = make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("var"), broker_url=redis_url)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, timezone=settings.timezone)
        generate(session, GENERATED, until=DEMO_TODAY)
    yield create_app(settings), engine
    engine.dispose()


@pytest.fixture(scope="module")
def secretariat(listed: tuple[Any, Engine]) -> Iterator[TestClient]:
    with TestClient(listed[0]) as client:
        ui_login(client, "camilla.juhl")
        yield client


@pytest.fixture(scope="module")
def facts(listed: tuple[Any, Engine]) -> dict[str, Any]:
    """Every case with its plan and soonest open deadline, read straight from the tables."""
    app, engine = listed
    with engine.connect() as connection:
        plans = {r.id: r for r in connection.execute(select(PLANS))}
        due = dict(
            connection.execute(
                select(CASE_DEADLINES.c.case_id, func.min(CASE_DEADLINES.c.due_on))
                .where(CASE_DEADLINES.c.status == "open")
                .group_by(CASE_DEADLINES.c.case_id)
            ).all()
        )
        late = set(
            connection.execute(
                select(CASE_DEADLINES.c.case_id).where(
                    CASE_DEADLINES.c.status == "open", CASE_DEADLINES.c.due_on < app.state.clock.today()
                )
            ).scalars()
        )
        cases = [dict(r._mapping) for r in connection.execute(select(CASES))]
        boards = {r.code: r.id for r in connection.execute(select(BOARDS))}
        districts = {r.name: r.id for r in connection.execute(select(DISTRICTS))}
    for c in cases:
        plan = plans.get(c["plan_id"])
        c |= {"plan": plan.code if plan else None, "plan_name": plan.name if plan else "", "due": due.get(c["id"])}
        c |= {"district_id": plan.district_id if plan else None, "late": c["id"] in late}
    return {"cases": cases, "plans": {p.code: p.id for p in plans.values()}, "boards": boards, "districts": districts}


class Table(HTMLParser):
    """The rows of the page's case table as text cells (a <time>'s datetime in place of its text)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.inside = False
        self.feed(html[html.find('id="case-list"') :])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag == "td":
            self.cell = []
        elif self.cell is not None and tag == "time":
            self.cell.append(f"[{dict(attrs)['datetime']}]")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.inside = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def shown(client: TestClient, **query: Any) -> tuple[int, list[list[str]], str]:
    """The page's total, its rows, and its HTML."""
    response = client.get(f"/sager?{urlencode(query)}")
    assert response.status_code == 200, response.text
    count = re.search(r'id="case-count">([\d.]+) sag', response.text)
    assert count is not None
    return int(count.group(1).replace(".", "")), Table(response.text).rows, response.text


def exported(client: TestClient, fmt: str = "csv", **query: Any) -> list[list[str]]:
    """The downloaded list, headings first, every cell as text."""
    response = client.get(f"/sager.{fmt}?{urlencode(query)}")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.text)))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def references(client: TestClient, **query: Any) -> list[str]:
    return [row[0] for row in exported(client, **query)[1:]]


def test_each_filter_finds_what_the_rows_say(secretariat: TestClient, facts: dict[str, Any]) -> None:
    cases, hp10, district = facts["cases"], facts["plans"]["HP-10"], facts["districts"]["Amager"]
    board = facts["boards"]["BB-D5"]
    late = Counter(c["district_id"] for c in cases if c["is_open"] and c["late"] and c["case_type"] == "change_request")
    late_in = late.most_common(1)[0][0]
    asks = [
        ({}, lambda c: c["is_open"]),
        ({"vis": "lukkede"}, lambda c: not c["is_open"]),
        ({"vis": "alle", "case_type": "lbf_submission"}, lambda c: c["case_type"] == "lbf_submission"),
        ({"vis": "alle", "state": "screening"}, lambda c: c["state"] == "screening"),
        ({"vis": "alle", "district_id": district}, lambda c: c["district_id"] == district),
        ({"vis": "alle", "plan_id": hp10}, lambda c: c["plan_id"] == hp10),
        ({"vis": "alle", "board_id": board}, lambda c: board in (c["board_id"], c["deciding_board_id"])),
        ({"vis": "alle", "overdue": "1"}, lambda c: c["late"]),
        (
            {"case_type": "change_request", "district_id": late_in, "overdue": "1"},
            lambda c: c["is_open"] and c["case_type"] == "change_request" and c["district_id"] == late_in and c["late"],
        ),
    ]
    for query, wanted in asks:
        expected = sorted(c["reference"] for c in cases if wanted(c))
        assert expected, query  # each filter has something to find
        assert sorted(references(secretariat, **query)) == expected, query
        assert shown(secretariat, **query)[0] == len(expected), query


@pytest.mark.parametrize("term", ["HP-10", "Husum", "hp-10"])
def test_the_search_finds_plan_codes_and_names(secretariat: TestClient, facts: dict[str, Any], term: str) -> None:
    found = set(references(secretariat, vis="alle", q=term))
    of_the_plan = {c["reference"] for c in facts["cases"] if term.lower() in f"{c['plan']} {c['plan_name']}".lower()}
    assert of_the_plan and of_the_plan <= found
    text = {
        c["reference"]: f"{c['reference']} {c['title']} {c['description']} {c['plan']} {c['plan_name']}"
        for c in facts["cases"]
    }
    assert all(term.lower() in text[r].lower() for r in found)


def test_the_beginning_of_a_word_finds_the_title_on_both_databases(secretariat: TestClient, facts: dict[str, Any]) -> None:
    word = next(w for c in facts["cases"] for w in c["title"].split() if w.isalpha() and len(w) >= 9)
    part = word[:5].lower()  # e.g. "lektie" of "Lektiecafé": no whole word, so PostgreSQL's full text alone misses it
    titled = {c["reference"] for c in facts["cases"] if part in c["title"].lower()}
    assert titled and titled <= set(references(secretariat, vis="alle", q=part))


def label_order(name: str) -> str:
    return name.lower().translate(str.maketrans("æøå", "{|}"))


def sort_value(case: dict[str, Any], key: str) -> Any:
    workflow = WORKFLOWS[case["case_type"]]
    return {
        "reference": case["reference"],
        "title": case["title"],
        "case_type": label_order(workflow.da),
        "state": label_order(workflow.state(case["state"]).da),
        "plan": case["plan"],
        "deadline": case["due"],
    }[key]


@pytest.mark.parametrize("key", ["reference", "title", "case_type", "plan", "state", "deadline"])
def test_every_column_sorts_both_ways_with_the_empty_ones_last(
    secretariat: TestClient, facts: dict[str, Any], key: str
) -> None:
    cases = facts["cases"]
    filled = [c for c in cases if sort_value(c, key) is not None]
    empty = [c for c in cases if sort_value(c, key) is None]
    for descending in (False, True):
        order = sorted(filled, key=lambda c: (sort_value(c, key), c["id"]), reverse=descending)
        order += sorted(empty, key=lambda c: c["id"], reverse=descending)
        sort = f"-{key}" if descending else key
        rows, html = shown(secretariat, vis="alle", sort=sort)[1:]
        assert [r[0] for r in rows] == [c["reference"] for c in order[:50]], sort
        assert references(secretariat, vis="alle", sort=sort) == [c["reference"] for c in order]
        heading = re.search(r'<th scope="col" aria-sort="(\w+)">\s*<a href="([^"]+)">([^<]+)', html)
        assert heading is not None and heading.group(1) == ("descending" if descending else "ascending")
        assert html.count("aria-sort=") == 1  # only the sorted column says so
        assert f"sort={'' if descending else '-'}{key}" in heading.group(2)  # a click turns it round


def test_pages_of_fifty_keep_the_filters_and_the_sort(secretariat: TestClient, facts: dict[str, Any]) -> None:
    query = {"vis": "alle", "case_type": "change_request", "sort": "-deadline"}
    everything = references(secretariat, **query)
    total, _, html = shown(secretariat, **query)
    last = math.ceil(total / 50)
    assert total == len(everything) and last >= 3
    walked = [row[0] for n in range(1, last + 1) for row in shown(secretariat, **query, page=n)[1]]
    assert walked == everything  # every case once, in the export's order
    links = re.findall(r'<nav class="pages".*?</nav>', html, re.S)[0]
    assert f"page={last}" in links and "sort=-deadline" in links and "case_type=change_request" in links
    assert 'aria-current="page" aria-label="Side 1"' in links
    for page, expected in (("abc", 1), ("0", 1), ("99999", last), ("²", 1)):
        rows = shown(secretariat, **query, page=page)[1]
        assert [r[0] for r in rows] == everything[(expected - 1) * 50 : expected * 50], page


def test_the_export_is_the_list_the_page_shows_in_danish_or_english(secretariat: TestClient, facts: dict[str, Any]) -> None:
    query = {"vis": "alle", "sort": "plan", "case_type": "change_request"}
    csv_rows, xlsx_rows = exported(secretariat, "csv", **query), exported(secretariat, "xlsx", **query)
    assert csv_rows == xlsx_rows and csv_rows[0] == HEADINGS
    total, rows, _ = shown(secretariat, **query)
    assert len(csv_rows) - 1 == total > 50
    on_page = [[*r[:3], r[3].strip("–"), r[4], "".join(re.findall(r"\[(.*?)\]", r[5]))] for r in rows]
    assert on_page == csv_rows[1:51]
    dates = [date.fromisoformat(r[5]) for r in csv_rows[1:] if r[5]]
    assert dates and len(dates) < total  # some cases have no open deadline
    empty = exported(secretariat, "xlsx", vis="alle", q="ingen sag hedder sådan")
    assert empty == [HEADINGS]
    secretariat.get("/sprog/en?back=/sager")
    try:
        english = exported(secretariat, "csv", **query)
        assert english[0] == ["Reference", "Title", "Case type", "Master plan", "State", "Next deadline"]
        assert [r[0] for r in english][1:] == [r[0] for r in csv_rows[1:]]
        assert {r[2] for r in english[1:]} <= {w.en for w in WORKFLOWS.values()}
    finally:
        secretariat.get("/sprog/da?back=/sager")


def test_bad_filter_values_are_left_out_with_a_danish_message(secretariat: TestClient) -> None:
    open_cases = shown(secretariat)[0]
    bad = {"state": "ukendt", "case_type": "<b>", "plan_id": "abc", "district_id": "99999999999", "board_id": "-1"}
    total, _, html = shown(secretariat, **bad, sort="nonsense", vis="måske")
    assert total == open_cases
    assert "»ukendt« er ikke en gyldig værdi for Status, så det filter er ikke brugt." in html
    assert "»&lt;b&gt;« er ikke en gyldig værdi for Sagstype" in html
    for field in ("Helhedsplan", "Bydel", "Beslutningsorgan"):
        assert f"er ikke en gyldig værdi for {field}" in html
    assert secretariat.get("/sager?q=a%00b").status_code == 200
    assert secretariat.get("/sager.pdf").status_code == 404
    assert len(exported(secretariat, "csv", **bad)) == open_cases + 1


def test_a_project_leader_sees_the_cases_the_api_lets_her_see(listed: tuple[Any, Engine], secretariat: TestClient) -> None:
    app = listed[0]
    with TestClient(app) as client:
        ui_login(client, "sara.norgaard")
        token = api_token(client, "sara.norgaard")
        via_api = []
        while len(via_api) == 0 or len(via_api) % 200 == 0:
            page = client.get(f"/api/v1/cases?limit=200&offset={len(via_api)}", headers=token).json()
            via_api += [c["reference"] for c in page["items"]]
            if len(page["items"]) < 200:
                break
        mine = references(client, vis="alle")
    assert sorted(mine) == sorted(via_api) and 0 < len(mine) < shown(secretariat, vis="alle")[0]


# In headless Chromium, on a served register big enough for pages.
browser = test_ui.browser


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`boligsocial serve` (SQLite, embedded worker) on the demo register with 180 generated cases."""
    folder = tmp_path_factory.mktemp("crowded")
    assert run(folder, "db", "upgrade").returncode == 0
    seeded = run(folder, "seed-demo", "--scale", "180")
    assert seeded.returncode == 0, seeded.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)],
        cwd=folder,
        env=clean_env(),
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
    else:
        server.kill()
        pytest.fail("the service did not answer /healthz within 60 s")
    yield base
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=40)


@pytest.mark.browser
def test_filter_sort_page_and_download_in_a_browser(browser: Browser, crowded: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK", accept_downloads=True)
    page = context.new_page()
    log_in(page, crowded, "camilla.juhl")
    page.get_by_role("banner").get_by_role("link", name="Sager", exact=True).click()
    page.get_by_label("Åbne eller lukkede").select_option(label="Alle sager")
    page.get_by_label("Sagstype").select_option(label="Ændringsanmodning")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page).to_have_url(re.compile(r"case_type=change_request"))
    count = int(re.findall(r"\d+", page.locator("#case-count").inner_text())[0])
    assert count > 100
    expect(page.locator("#case-list tbody tr")).to_have_count(50)
    deadline = page.locator("th", has_text="Næste frist")
    deadline.get_by_role("link").click()
    expect(deadline).to_have_attribute("aria-sort", "ascending")
    deadline.get_by_role("link").click()
    expect(deadline).to_have_attribute("aria-sort", "descending")
    dates = page.locator("#case-list tbody time").evaluate_all("all => all.map(t => t.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True) and dates
    page.get_by_role("link", name="Side 2", exact=True).click()
    expect(page.get_by_role("link", name="Side 2", exact=True)).to_have_attribute("aria-current", "page")
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page).to_have_url(re.compile(r"sort=-deadline"))
    expect(page.get_by_label("Sagstype")).to_have_value("change_request")  # the filters stay
    assert violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "case-list-da.png", full_page=True)
    on_page = page.locator("#case-list tbody tr td:first-child").all_inner_texts()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel", exact=True).click()
    assert download.value.suggested_filename == "sager.xlsx"
    download.value.save_as(tmp_path / "sager.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "sager.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADINGS and len(rows) - 1 == count
    assert [r[0] for r in rows[51:101]] == on_page  # page 2 is rows 51–100 of the whole list
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=SHOTS / "case-list-375px.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the table scrolls, not the page
    context.close()
