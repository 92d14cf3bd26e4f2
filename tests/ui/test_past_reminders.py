"""Mine opgaver and the case list name a deadline's next reminder only while it is ahead: a rung already due fires
at the next sweep (only the latest due one), so a past date would name a reminder nobody gets."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.builders import open_, play
from tests.service.test_sessions import ui_login


def test_a_reminder_day_that_has_passed_is_not_shown_as_the_next(own_app, own_engine: Engine) -> None:
    with Session(own_engine) as session:  # submitted in April 2016; the app's clock reads today, years later
        case = open_(session, "change_request", by="sara.norgaard", data={"kind": "content", "change_description": "x"})
        case = play(session, case, [("sara.norgaard", "submit", None)])
        reference = case.reference
    with TestClient(own_app) as browser:
        ui_login(browser, "sara.bech")
        for page in ("/opgaver", "/sager?vis=alle&q=" + reference):
            html = browser.get(page).text
            row = re.search(rf"<tr[^>]*>\s*<td[^>]*><a href=\"/sager/\d+\">{reference}</a>.*?</tr>", html, re.S)
            assert row is not None, page
            assert "Screening" in row.group(0) and "Næste påmindelse" not in row.group(0), page


def test_the_secretariat_is_not_sent_to_the_members_voting_page(own_app) -> None:
    """The demo's ninth example waits for AAB's vote in writing: a member follows the link, the secretariat does not
    get one (it records votes from letters on the case page)."""
    from service.demo.history import EXAMPLES, _Player

    with Session(own_app.state.engine) as session:
        _Player(session).play(*EXAMPLES[-1])
        session.commit()
    with TestClient(own_app) as browser:
        ui_login(browser, "bo.iversen")
        link = re.search(r'href="/skriftlig-behandling#sag-(\d+)"', browser.get("/opgaver").text)
        assert link is not None
        case_page = f"/sager/{link.group(1)}"
        # A member votes for their own organisation: no meeting or letter to name, as the secretariat must.
        assert 'name="data.organisation"' in (mine := browser.get(case_page).text)
        assert 'name="data.meeting_id"' not in mine and 'name="data.document_id"' not in mine
    with TestClient(own_app) as browser:
        ui_login(browser, "sara.bech")
        page = browser.get("/opgaver").text
        assert "Åbent værksted om lørdagen" in page and 'href="/skriftlig-behandling#sag-' not in page
        assert 'name="data.meeting_id"' in browser.get(case_page).text
