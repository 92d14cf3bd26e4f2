"""The UI's form routes and query parameters under Hypothesis, as several personas on both backends: never a 500.

The test client re-raises anything the app does not handle, so a server error fails the example it came from.
Bad input must be a 4xx page (with a Danish message) and must store nothing the API would have refused.
"""

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service.ui.forms import fields
from workflows.registry import WORKFLOWS

PERSONAS = {"secretariat": "camilla.juhl", "project_leader": "sara.norgaard", "board_member": "eva.holm"}
NASTY = ["", "abc", "²", "١٢", "9" * 20, "-1", "0", "[" * 100_000, "{" * 5000 + "}" * 5000, "a\x00b", "1e9", " 7 "]
ANY_CHARACTER = st.characters(exclude_categories=["Cs"])  # lone surrogates cannot be sent as UTF-8 by any browser
text = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.text(max_size=400, alphabet=ANY_CHARACTER))
FIELD_NAMES = sorted(
    {
        f"data.{f.name}"
        for w in WORKFLOWS.values()
        for s in (w.data_schema, *(a.requires for a in w.actions))
        for f in fields(s)
    }
)
ACTIONS = sorted({a.name for w in WORKFLOWS.values() for a in w.actions})
SLOW = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=SLOW)


def log_in(client: TestClient, username: str) -> str:
    """Log in through the login form; the session's CSRF token."""
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    response = client.post(
        "/login", data={"username": username, "password": "demo", "csrf": token.group(1)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    fresh = re.search(r'name="csrf" value="([^"]+)"', client.get("/sager/ny").text)
    assert fresh is not None
    return fresh.group(1)


@pytest.fixture(scope="module", params=list(PERSONAS))
def persona(request: pytest.FixtureRequest, own_app) -> Iterator[tuple[TestClient, str]]:
    with TestClient(own_app, client=(f"198.51.100.{len(request.param)}", 40000)) as client:
        yield client, log_in(client, PERSONAS[request.param])


@pytest.fixture(scope="module")
def case_id(own_app) -> int:
    with TestClient(own_app) as client:
        csrf = log_in(client, "sara.norgaard")
        plan = re.search(r'<option value="(\d+)">HP-10', client.get("/sager/ny").text)
        assert plan is not None
        form = {
            "csrf": csrf,
            "case_type": "change_request",
            "subject": plan.group(1),
            "title": "Fuzzmål",
            "data.kind": "content",
            "data.change_description": "Et mål for fuzzing",
        }
        opened = client.post("/sager/ny", data=form, follow_redirects=False)
        assert opened.status_code == 303, opened.text
        return int(opened.headers["location"].rsplit("/", 1)[1])


def form_of(draw: st.DrawFn, csrf: str) -> dict[str, str]:
    chosen = draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=6, unique=True))
    form = {name: draw(text) for name in chosen}
    form["csrf"] = draw(st.sampled_from([csrf, csrf, "forged", ""]))
    return form


@st.composite
def new_case_forms(draw: st.DrawFn, csrf: str) -> dict[str, str]:
    form = form_of(draw, csrf)
    form |= {
        "case_type": draw(st.sampled_from([*WORKFLOWS, "nope"])),
        "subject": draw(text),
        "title": draw(text),
        "description": draw(st.one_of(text, st.just("x" * 30_000))),
    }
    return form


def test_opening_a_case_through_the_form_never_fails_and_keeps_the_apis_limits(persona) -> None:
    client, csrf = persona

    @FUZZ
    @given(form=new_case_forms(csrf))
    @example(form={"csrf": csrf, "case_type": "change_request", "subject": "1", "title": " ", "description": "x" * 30_000})
    def check(form: dict[str, str]) -> None:
        response = client.post("/sager/ny", data=form, follow_redirects=False)
        assert response.status_code in (200, 303) or 400 <= response.status_code < 500, response.status_code
        if response.status_code == 303 and response.headers["location"].startswith("/sager/") and form["csrf"] == csrf:
            title = form["title"].strip()
            assert response.headers["location"] == "/sager/ny" or (
                1 <= len(title) <= 300 and len(form["description"]) <= 20_000
            )
        if response.status_code >= 400 and response.status_code != 413:  # the form again, saying what is wrong, in Danish
            assert 'role="alert"' in response.text and '<html lang="da">' in response.text

    check()


def test_taking_an_action_through_the_form_never_fails(persona, case_id: int) -> None:
    client, csrf = persona

    @FUZZ
    @given(
        form=st.builds(lambda f, v, c: f | {"version": v, "comment": c}, st.composite(form_of)(csrf), text, text),
        action=st.sampled_from([*ACTIONS, "nope"]),
        target=st.sampled_from([case_id, case_id, 1, 2**40]),
    )
    @example(form={"csrf": csrf, "version": "abc"}, action="submit", target=case_id)
    @example(form={"csrf": csrf, "version": "1", "data.budget_moves": "[" * 100_000}, action="edit", target=case_id)
    def check(form: dict[str, str], action: str, target: int) -> None:
        response = client.post(f"/sager/{target}/handling/{action}", data=form, follow_redirects=False)
        assert response.status_code == 303 or 400 <= response.status_code < 500, response.status_code
        page = response.headers.get("content-type", "").startswith("text/html")  # not an id beyond the path's bounds
        if 400 <= response.status_code < 500 and response.status_code != 404 and page:
            assert 'role="alert"' in response.text  # the case page with what was refused

    check()


def test_query_parameters_of_the_pages_never_fail(persona, case_id: int) -> None:
    client, _ = persona

    @FUZZ
    @given(
        value=text,
        page=st.sampled_from(
            [
                "/sager?vis=",
                "/sager?q=",
                "/sager?page=",
                "/sager?vis=alle&sort=",
                "/sager.xlsx?plan_id=",
                "/sager/ny?type=",
                "/login?next=",
                "/sprog/da?back=",
                "/sprog/",
                "/planer/",
                f"/sager/{case_id}?x=",
                "/sager/budgetflytninger?subject=",
                f"/sager/budgetflytninger?case={case_id}&data.budget_moves.0.amount_dkk=",
                "/sager/budgetflytninger?subject=1&data.budget_moves.0.from_area=UB&data.budget_moves.0.from_year=",
            ]
        ),
    )
    def check(value: str, page: str) -> None:
        response = client.get(page + quote(value[:2000], safe=""), follow_redirects=False)  # URLs are short
        assert response.status_code < 500
        if response.status_code in (301, 302, 303, 307):
            assert not response.headers["location"].startswith("//")  # never off-site

    check()
