"""A case scheduled at a meeting shows that meeting in the page's language: in its history and data, and the
schedule picker's meetings with the day their agenda closes."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.builders import Given, MeetingOf, reach
from tests.service.test_sessions import ui_login

LEADER, S = "sara.norgaard", "sara.bech"
CONTENT = {"kind": "content", "change_description": "Lektiecafé i stedet for ungdomsklub"}
READY = Given(data=CONTENT, by=LEADER).then((LEADER, "submit", None), (S, "start_screening", None), (S, "mark_ready", {}))


@pytest.fixture(scope="module")
def cases(own_engine: Engine) -> dict[str, int]:
    with Session(own_engine) as session:
        scheduled = reach(session, "change_request", READY.then((S, "schedule", {"meeting_id": MeetingOf("BB-D5")})))
        ready = reach(session, "change_request", READY)
        session.commit()
        return {"scheduled": scheduled.id or 0, "ready": ready.id or 0}


@pytest.fixture(scope="module")
def browser(own_app: Any) -> Iterator[TestClient]:
    with TestClient(own_app) as client:
        ui_login(client, S)
        yield client


def history(html: str) -> str:
    found = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S)
    assert found is not None
    return " ".join(found.group(1).split())


def test_the_meeting_in_the_history_follows_the_page_language(browser: TestClient, cases: dict[str, int]) -> None:
    page = f"/sager/{cases['scheduled']}"
    assert "Møde: 15. juni 2016 14.00" in history(browser.get(page).text)
    browser.get(f"/sprog/en?back={page}")
    try:
        english = browser.get(page).text
    finally:
        browser.get(f"/sprog/da?back={page}")
    assert "Meeting: 15 June 2016 14:00" in history(english)
    assert "juni" not in english


def test_the_schedule_picker_speaks_the_page_language(browser: TestClient, cases: dict[str, int]) -> None:
    page = f"/sager/{cases['ready']}"
    assert re.search(r">\d+\. [a-z]+ 20\d\d 14\.00 \(frist \d+\. [a-z]+ 20\d\d\)<", browser.get(page).text)
    browser.get(f"/sprog/en?back={page}")
    try:
        english = browser.get(page).text
    finally:
        browser.get(f"/sprog/da?back={page}")
    assert re.search(r">\d+ [A-Z][a-z]+ 20\d\d 14:00 \(agenda closes \d+ [A-Z][a-z]+ 20\d\d\)<", english)
    assert re.search(r">Written procedure, reply by \d+ [A-Z]\w+ 20\d\d<", english)
