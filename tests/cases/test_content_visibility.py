"""Who sees which comments and documents (SECURITY.md, docs/notes.md): internal ones stay with the secretariat and
those the case belongs to; a local group in consultation sees only what is shared; the central board sees the
strategic-agreement notices meant for it. Also: a document id from another case is 404.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.demo.history import play_history
from service.demo.seed import seed_demo
from service.main import create_app
from service.persistence import migrate
from service.persistence.db import make_engine
from tests.api.test_api_cases import act, open_change
from tests.conftest import make_settings

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RESIDENT = "hassan.omar"  # a resident on HP-10's local group, nothing else


def in_consultation(client: TestClient, auth) -> dict[str, Any]:
    case = open_change(client, auth)
    case = act(client, auth, case, "sara.norgaard", "submit")
    case = act(client, auth, case, "camilla.juhl", "start_screening")
    return act(client, auth, case, "camilla.juhl", "start_consultation", {"material": True})


def test_a_local_group_in_consultation_sees_only_shared_comments_and_documents(client: TestClient, auth) -> None:
    case = in_consultation(client, auth)
    base, secretariat = f"/api/v1/cases/{case['id']}", auth("camilla.juhl")
    client.post(f"{base}/comments", json={"body": "Intern vurdering"}, headers=secretariat)
    client.post(f"{base}/comments", json={"body": "Til høring", "visibility": "shared"}, headers=secretariat)
    internal = client.post(f"{base}/documents", files={"file": ("notat.pdf", PDF + b"% i")}, headers=secretariat).json()
    shared = client.post(
        f"{base}/documents",
        files={"file": ("hoering.pdf", PDF + b"% s")},
        data={"visibility": "shared"},
        headers=secretariat,
    ).json()
    resident = auth(RESIDENT)
    assert [c["body"] for c in client.get(f"{base}/comments", headers=resident).json()] == ["Til høring"]
    assert [d["id"] for d in client.get(f"{base}/documents", headers=resident).json()] == [shared["id"]]
    assert client.get(f"{base}/documents/{internal['id']}", headers=resident).status_code == 404
    assert client.get(f"{base}/documents/{shared['id']}", headers=resident).status_code == 200
    history = str(client.get(f"{base}/events", headers=resident).json())
    assert "Til høring" in history and "Intern vurdering" not in history and "notat.pdf" not in history
    assert len(client.get(f"{base}/comments", headers=auth("sara.norgaard")).json()) == 2  # the project leader: all
    mine = client.post(f"{base}/comments", json={"body": "Svar fra beboerne"}, headers=resident)
    assert mine.status_code == 201 and mine.json()["visibility"] == "shared"  # what outsiders add is shared
    refused = client.post(f"{base}/comments", json={"body": "x", "visibility": "internal"}, headers=resident)
    assert refused.status_code == 403


def test_a_document_id_from_another_case_is_404(client: TestClient, auth) -> None:
    first, second = open_change(client, auth), open_change(client, auth)
    headers = auth("sara.norgaard")
    document = client.post(f"/api/v1/cases/{first['id']}/documents", files={"file": ("a.pdf", PDF)}, headers=headers)
    assert document.status_code == 201
    assert client.get(f"/api/v1/cases/{second['id']}/documents/{document.json()['id']}", headers=headers).status_code == 404


@pytest.fixture(scope="module")
def history_client(backend: str, empty_database_factory, redis_url: str, tmp_path_factory) -> Iterator[TestClient]:
    """The demo register with its eight case histories played, as `make demo` has it."""
    settings = make_settings(empty_database_factory(backend), tmp_path_factory.mktemp("var"), broker_url=redis_url)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, timezone=settings.timezone)
        play_history(session)
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        yield client


def test_central_board_members_see_the_strategic_agreement_notices_meant_for_them(history_client: TestClient) -> None:
    client = history_client

    def headers(username: str) -> dict[str, str]:
        token = client.post("/api/v1/auth/token", data={"username": username, "password": "demo"}).json()
        return {"Authorization": f"Bearer {token['access_token']}"}

    member = headers("mads.overgaard")  # a central-board member with no other tie to HP-05
    cases = client.get("/api/v1/cases", params={"limit": 200}, headers=member).json()["items"]
    central = next(b["id"] for b in client.get("/api/v1/boards", headers=member).json() if b["kind"] == "central")
    changes = [  # of plans a district board decides: the member sees them only as notices
        c for c in cases if c["case_type"] == "strategic_agreement_change" and c["deciding_board_id"] != central
    ]
    after_notice = {"central_board_informed", "awaiting_lbf", "lbf_queried", "lbf_approved", "lbf_rejected", "in_force"}
    assert changes and {c["state"] for c in changes} <= after_notice  # none before the central board was informed
    informed = [c for c in changes if c["state"] == "central_board_informed"]
    assert informed
    comments = f"/api/v1/cases/{informed[0]['id']}/comments"
    client.post(comments, json={"body": "Sekretariatets noter"}, headers=headers("camilla.juhl"))
    client.post(comments, json={"body": "Til orientering", "visibility": "shared"}, headers=headers("camilla.juhl"))
    assert [c["body"] for c in client.get(comments, headers=member).json()] == ["Til orientering"]
