"""Every table on the forecast dashboard downloads as CSV and Excel, with the rows the page shows (both databases)."""

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.demo.scale import generate
from service.demo.seed import DEMO_TODAY, seed_demo
from service.main import create_app
from service.persistence import migrate
from service.persistence.db import make_engine
from tests.conftest import make_settings
from tests.service.test_sessions import ui_login


@pytest.fixture(scope="module")
def secretariat(backend: str, empty_database_factory, redis_url: str, tmp_path_factory) -> Iterator[TestClient]:
    """The demo register with 80 generated cases, some of them open and expected at coming meetings."""
    settings = make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("var"), broker_url=redis_url)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, timezone=settings.timezone)
        generate(session, 80, until=DEMO_TODAY)
    with TestClient(create_app(settings)) as client:
        ui_login(client, "camilla.juhl")
        yield client
    engine.dispose()


def tables(html: str) -> dict[str, tuple[list[str], str]]:
    """Each table by id: the first cell of its body rows, and what follows it up to the next table."""
    found = {}
    for match in re.finditer(r'<table[^>]* id="([^"]+)">(.*?)</table>(.*?)(?=<table|$)', html, re.S):
        body = match.group(2).split("<tbody>", 1)[1]
        rows = re.findall(r'<tr>\s*<td(?: class="nowrap")?>([^<]*)</td>', body)
        found[match.group(1)] = (rows, match.group(3))
    return found


def downloaded(client: TestClient, href: str) -> list[list[Any]]:
    response = client.get(href.replace("&amp;", "&"))
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"], href
    if href.split("?")[0].endswith(".csv"):
        return list(csv.reader(io.StringIO(response.text)))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_every_forecast_table_downloads_with_the_rows_it_shows(secretariat: TestClient) -> None:
    page = secretariat.get("/statistik/prognose?case_type=change_request")
    assert page.status_code == 200
    shown = tables(page.text)
    assert set(shown) == {"forecasts-decisions", "forecasts", "forecasts-lbf", "forecasts-held"}
    assert shown["forecasts-decisions"][0], "the register has decisions expected per month"
    for name, (rows, after) in shown.items():
        links = re.findall(r'href="(/statistik/tabel/[^"]+)"', after)
        assert [link.split("?")[0] for link in links] == [f"/statistik/tabel/{name}.csv", f"/statistik/tabel/{name}.xlsx"]
        assert all("case_type=change_request" in link for link in links)  # the page's filters go along
        for link in links:
            got = downloaded(secretariat, link)
            assert len(got) - 1 == len(rows), (name, link)
            if rows:
                first = got[0].index("month" if "month" in got[0] else "date" if "date" in got[0] else "label")
                assert [row[first] for row in got[1:]] == rows, (name, link)
