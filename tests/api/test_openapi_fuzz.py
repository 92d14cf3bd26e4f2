"""Schemathesis over the whole OpenAPI document (`/openapi.json`) of the app, logged in as the secretariat.

Everything runs per backend on a freshly migrated and seeded database of its own: the fuzzer opens cases, writes
comments, uploads files and fails logins (which the login throttle counts per address), so it must not share the
session's database with the other test modules.

* `test_every_operation_under_fuzzing`: every operation with up to `EXAMPLES` generated requests (valid and
  invalid ones), through `case.call_and_validate`. It must find no 5xx and no response that differs from the
  document: undocumented status codes, content types or headers, bodies that violate their schema, requests
  that violate the schema and are accepted all the same. `positive_data_acceptance` is the one check left out:
  it expects every schema-valid request to be accepted, but the document cannot say that a `plan_id` must name
  an existing plan or what `data` each case type and action take, and api.md answers such input with 422.
* `test_real_resources_are_answered_as_documented`: generated ids seldom name anything that exists, so the
  fuzzer rarely sees the success responses of the read operations. This walks the seeded register and a case
  with a comment and a document, and validates every answer against the document with the same checks.
* `test_edge_values_the_document_allows_are_never_a_server_error`: fixed examples of what the fuzzer draws only
  now and then — ids past 32 bits (the document allows up to 2**63 - 1) and NUL characters in text.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlmodel import Session

from service.demo.seed import seed_demo
from service.main import create_app
from service.persistence import migrate
from service.persistence.db import make_engine
from tests.conftest import make_settings

EXAMPLES = 25  # per operation and backend; about a minute for the whole document on both backends
SECRETARIAT = "camilla.juhl"
API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXCLUDED = [positive_data_acceptance]


@pytest.fixture(scope="session")
def fuzz_app(backend: str, empty_database_factory, redis_url: str, tmp_path_factory) -> Iterator[FastAPI]:
    """The app on a seeded database that only the fuzzer uses."""
    fuzz_settings = make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("fuzz-var"), broker_url=redis_url)
    engine = make_engine(fuzz_settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, timezone=fuzz_settings.timezone)
    engine.dispose()
    app = create_app(fuzz_settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="session")
def fuzz_client(fuzz_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(fuzz_app) as client:
        yield client


@pytest.fixture(scope="session")
def fuzz_headers(fuzz_client: TestClient) -> dict[str, str]:
    """Bearer headers of a secretariat caseworker, who may see and administer every case."""
    response = fuzz_client.post(f"{API}/auth/token", data={"username": SECRETARIAT, "password": "demo"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# The operations are collected when this module is imported, before any fixture exists, so the document is read
# from an app built for that alone (no database behind it; `/openapi.json` needs none). Every request is then
# sent to `fuzz_app`, the same code on a seeded database (`app=`). (`schemathesis.pytest.from_fixture` would
# read it from the fixture, but schemathesis 4.32.5 fails under pytest 9.2 there: it sets `Node._nodeid`.)
DOCUMENT_APP = create_app(make_settings("sqlite://", Path(tempfile.gettempdir()), demo=True))
schema = schemathesis.openapi.from_asgi("/openapi.json", DOCUMENT_APP)


def test_the_fuzzed_document_is_the_running_apps(fuzz_client: TestClient) -> None:
    assert fuzz_client.get("/openapi.json").json() == DOCUMENT_APP.openapi()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_every_operation_under_fuzzing(
    case, fuzz_app: FastAPI, fuzz_client: TestClient, fuzz_headers: dict[str, str]
) -> None:
    headers = fuzz_headers
    if case.path == f"{API}/auth/logout":  # logging out ends every token of the user: use a throwaway login
        response = fuzz_client.post(f"{API}/auth/token", data={"username": "eva.holm", "password": "demo"})
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    case.call_and_validate(headers=dict(headers), excluded_checks=EXCLUDED, app=fuzz_app)


def test_real_resources_are_answered_as_documented(
    fuzz_app: FastAPI, fuzz_client: TestClient, fuzz_headers: dict[str, str]
) -> None:
    client, headers = fuzz_client, fuzz_headers
    failures: list[str] = []

    def check(method: str, path: str, *, response: Any = None, **parts: Any) -> None:
        """Send the request through schemathesis (or validate `response`, already sent) against the document."""
        case = schema[path][method].Case(**parts)
        try:
            if response is None:
                case.call_and_validate(headers=dict(headers), excluded_checks=EXCLUDED, app=fuzz_app)
            else:
                case.validate_response(response, headers=dict(headers), excluded_checks=EXCLUDED)
        except (AssertionError, FailureGroup) as error:
            failures.append(f"{method} {path} {parts or ''}:\n{error}")

    def get(path: str, **params: Any) -> Any:
        response = client.get(f"{API}{path}", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    plan = next(p for p in get("/plans") if p["code"] == "HP-10")
    board = next(b for b in get("/boards") if b["code"] == "BB-D5")
    meeting = get("/meetings", board_id=board["id"])[0]
    opened = client.post(
        f"{API}/cases",
        json={
            "case_type": "change_request",
            "plan_id": plan["id"],
            "title": "Lektiecafé et år tidligere",
            "data": {"kind": "content", "change_description": "Lektiecafé i stedet for ungdomsklub"},
        },
        headers=headers,
    )
    assert opened.status_code == 201, opened.text
    case = opened.json()
    check("POST", f"{API}/cases", response=opened)
    commented = client.post(f"{API}/cases/{case['id']}/comments", json={"body": "Til drøftelse"}, headers=headers)
    assert commented.status_code == 201, commented.text
    check("POST", f"{API}/cases/{{case_id}}/comments", response=commented, path_parameters={"case_id": case["id"]})
    uploaded = client.post(
        f"{API}/cases/{case['id']}/documents", files={"file": ("budget.pdf", PDF, "application/pdf")}, headers=headers
    )
    assert uploaded.status_code == 201, uploaded.text
    check("POST", f"{API}/cases/{{case_id}}/documents", response=uploaded, path_parameters={"case_id": case["id"]})
    submitted = client.post(
        f"{API}/cases/{case['id']}/actions/submit", json={"expected_version": case["version"]}, headers=headers
    )
    assert submitted.status_code == 200, submitted.text
    ids = {"case_id": case["id"]}
    check(
        "POST",
        f"{API}/cases/{{case_id}}/actions/{{action}}",
        response=submitted,
        path_parameters={"case_id": case["id"], "action": "submit"},
    )

    for path in ("/healthz", "/readyz"):
        check("GET", path)
    for path in (
        "/me",
        "/districts",
        "/organisations",
        "/activity-areas",
        "/plans",
        "/boards",
        "/meetings",
        "/workflows",
        "/cases",
    ):
        check("GET", f"{API}{path}")
    check(
        "POST",
        f"{API}/auth/token",
        body={"username": SECRETARIAT, "password": "demo"},
        media_type="application/x-www-form-urlencoded",
    )
    check("GET", f"{API}/plans/{{plan_id}}", path_parameters={"plan_id": plan["id"]})
    check("GET", f"{API}/boards/{{board_id}}", path_parameters={"board_id": board["id"]})
    check("GET", f"{API}/meetings/{{meeting_id}}", path_parameters={"meeting_id": meeting["id"]})
    for workflow in get("/workflows"):
        check("GET", f"{API}/workflows/{{case_type}}", path_parameters={"case_type": workflow["key"]})
        check("GET", f"{API}/workflows/{{case_type}}/diagram", path_parameters={"case_type": workflow["key"]})
    queries: list[dict[str, Any]] = [
        {"actionable": True},
        {"overdue": True},
        {"open": False},
        {"q": "lektiecafé"},
        {"plan_id": plan["id"], "sort": "-title"},
        {"board_id": board["id"], "limit": 1, "offset": 1},
    ]
    for query in queries:
        check("GET", f"{API}/cases", query=query)
    for suffix in ("", "/events", "/comments", "/documents"):
        check("GET", f"{API}/cases/{{case_id}}{suffix}", path_parameters=ids)
    check("GET", f"{API}/cases/{{case_id}}/documents/{{doc_id}}", path_parameters=ids | {"doc_id": uploaded.json()["id"]})
    seeded = get("/cases", limit=200)["items"]  # the demo's own example cases, in the states they were played to
    for other in seeded[:20]:
        check("GET", f"{API}/cases/{{case_id}}", path_parameters={"case_id": other["id"]})
        check("GET", f"{API}/cases/{{case_id}}/events", path_parameters={"case_id": other["id"]})
    assert not failures, f"{len(failures)} responses differ from /openapi.json:\n\n" + "\n\n".join(failures)


INT32_OVERFLOW, LARGEST = 2**31, 2**63 - 1  # both within the documented id range (1 … 2**63 - 1)
NUL = "a\x00b"  # a valid JSON and query string character; PostgreSQL cannot store or compare it in text


def test_edge_values_the_document_allows_are_never_a_server_error(
    fuzz_app: FastAPI, fuzz_client: TestClient, fuzz_headers: dict[str, str]
) -> None:
    client, headers = fuzz_client, fuzz_headers
    plan = next(p["id"] for p in client.get(f"{API}/plans", headers=headers).json() if p["code"] == "HP-10")
    body = {
        "case_type": "change_request",
        "plan_id": plan,
        "title": "Grænseværdier",
        "data": {"kind": "content", "change_description": "Lektiecafé i stedet for ungdomsklub"},
    }
    opened = client.post(f"{API}/cases", json=body, headers=headers)
    assert opened.status_code == 201, opened.text
    case = opened.json()["id"]
    requests: list[tuple[str, str, dict[str, Any]]] = []
    for big in (INT32_OVERFLOW, LARGEST):
        for suffix in ("", "/events", "/comments", "/documents"):
            requests.append(("GET", f"/cases/{{case_id}}{suffix}", {"path_parameters": {"case_id": big}}))
        requests += [
            ("GET", "/cases/{case_id}/documents/{doc_id}", {"path_parameters": {"case_id": case, "doc_id": big}}),
            ("POST", "/cases/{case_id}/comments", {"path_parameters": {"case_id": big}, "body": {"body": "x"}}),
            (
                "POST",
                "/cases/{case_id}/actions/{action}",
                {"path_parameters": {"case_id": big, "action": "submit"}, "body": {"expected_version": 1}},
            ),
            ("GET", "/plans/{plan_id}", {"path_parameters": {"plan_id": big}}),
            ("GET", "/boards/{board_id}", {"path_parameters": {"board_id": big}}),
            ("GET", "/meetings/{meeting_id}", {"path_parameters": {"meeting_id": big}}),
            ("GET", "/plans", {"query": {"district_id": big}}),
            ("GET", "/meetings", {"query": {"board_id": big}}),
            ("POST", "/cases", {"body": body | {"plan_id": big}}),
            ("POST", "/cases", {"body": {"case_type": "charter", "board_id": big, "title": "x", "data": {}}}),
        ]
        requests += [("GET", "/cases", {"query": {name: big}}) for name in ("plan_id", "board_id", "district_id")]
    requests += [
        ("POST", "/cases", {"body": body | {"title": NUL}}),
        ("POST", "/cases", {"body": body | {"description": NUL}}),
        ("POST", "/cases", {"body": body | {"data": {"kind": "content", "change_description": NUL}}}),
        ("POST", "/cases/{case_id}/comments", {"path_parameters": {"case_id": case}, "body": {"body": NUL}}),
        (
            "POST",
            "/cases/{case_id}/actions/{action}",
            {"path_parameters": {"case_id": case, "action": "edit"}, "body": {"expected_version": 1, "comment": NUL}},
        ),
        (
            "POST",
            "/cases/{case_id}/actions/{action}",
            {
                "path_parameters": {"case_id": case, "action": "edit"},
                "body": {"expected_version": 1, "data": {"change_description": NUL}},
            },
        ),
        (
            "POST",
            "/auth/token",
            {"body": {"username": NUL, "password": "x"}, "media_type": "application/x-www-form-urlencoded"},
        ),
    ]
    requests += [("GET", "/cases", {"query": {name: NUL}}) for name in ("q", "state", "case_type")]
    naive = ("2016-06-01", "2016-06-01T10:00", "2016-06-01 10:00:00", "2016-13-45", "9999-12-31T23:59:59")
    requests += [("GET", "/meetings", {"query": {name: when}}) for name in ("after", "before") for when in naive]
    failures = []
    for method, path, parts in requests:
        if "body" in parts and "media_type" not in parts:
            parts["media_type"] = "application/json"
        sent = f"{method} {API}{path} {parts}"
        try:
            schema[f"{API}{path}"][method].Case(**parts).call_and_validate(
                headers=dict(headers), checks=[not_a_server_error], app=fuzz_app
            )
        except (AssertionError, FailureGroup) as error:
            failures.append(f"{sent}: {str(error).splitlines()[0]}")
        except Exception as error:  # the test client re-raises what the app did not handle: a 500 for a real client
            failures.append(f"{sent}: 500, the app raised {type(error).__name__}: {str(error).splitlines()[0]}")
    assert not failures, f"{len(failures)} requests the document allows end in a server error:\n" + "\n".join(failures)
