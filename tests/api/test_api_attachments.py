"""Comments and documents on cases."""

import hashlib

from fastapi.testclient import TestClient

from service.cases.attachments import safe_name
from tests.api.test_api_cases import open_change

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_comments_and_documents_join_the_history(client: TestClient, auth) -> None:
    case = open_change(client, auth)
    url = f"/api/v1/cases/{case['id']}"
    comment = client.post(f"{url}/comments", json={"body": "Husk budgetbilaget"}, headers=auth("sara.bech"))
    assert comment.status_code == 201 and comment.json()["author"] == "sara.bech"
    upload = client.post(
        f"{url}/documents",
        files={"file": ("../../etc/Budget 2016.pdf", PDF, "application/pdf")},
        headers=auth("sara.norgaard"),
    )
    assert upload.status_code == 201, upload.text
    document = upload.json()
    assert document["filename"] == "Budget 2016.pdf"
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest() and document["size_bytes"] == len(PDF)
    download = client.get(f"{url}/documents/{document['id']}", headers=auth("eva.holm"))
    assert download.content == PDF
    assert download.headers["content-disposition"] == "attachment; filename*=utf-8''Budget%202016.pdf"
    history = client.get(f"{url}/events", headers=auth("sara.norgaard")).json()
    assert [h["action"] for h in history] == ["open", "comment", "attach_document"]
    assert [c["body"] for c in client.get(f"{url}/comments", headers=auth("eva.holm")).json()] == ["Husk budgetbilaget"]
    assert [d["filename"] for d in client.get(f"{url}/documents", headers=auth("eva.holm")).json()] == ["Budget 2016.pdf"]


def test_bad_uploads_are_refused_and_leave_nothing(client: TestClient, auth, settings) -> None:
    case = open_change(client, auth)
    url = f"/api/v1/cases/{case['id']}/documents"
    headers = auth("sara.norgaard")
    before = (
        sorted(p.name for p in (settings.var_dir / "documents").glob("*"))
        if (settings.var_dir / "documents").exists()
        else []
    )
    refused = client.post(url, files={"file": ("run.exe", b"MZ\x90\x00", "application/octet-stream")}, headers=headers)
    assert refused.status_code == 422 and "'.exe' cannot be attached" in refused.json()["detail"]
    fake = client.post(url, files={"file": ("report.pdf", b"<html>not a pdf</html>", "application/pdf")}, headers=headers)
    assert fake.status_code == 422 and "not a .pdf file" in fake.json()["detail"]
    empty = client.post(url, files={"file": ("empty.txt", b"", "text/plain")}, headers=headers)
    assert empty.status_code == 422
    analyst = client.post(url, files={"file": ("a.txt", b"hej", "text/plain")}, headers=auth("analytiker"))
    assert analyst.status_code == 403
    assert client.get(url, headers=headers).json() == []
    after = (
        sorted(p.name for p in (settings.var_dir / "documents").glob("*"))
        if (settings.var_dir / "documents").exists()
        else []
    )
    assert after == before


def test_an_upload_over_the_limit_is_413(client: TestClient, auth, settings, monkeypatch) -> None:
    case = open_change(client, auth)
    monkeypatch.setattr(settings, "max_upload_mb", 1)
    big = PDF + b"0" * (1 << 20)
    response = client.post(
        f"/api/v1/cases/{case['id']}/documents", files={"file": ("big.pdf", big)}, headers=auth("sara.norgaard")
    )
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]


def test_safe_names() -> None:
    assert safe_name("C:\\Users\\x\\..\\rapport.docx") == "rapport.docx"
    assert safe_name("../../.bashrc") == "bashrc"
    assert safe_name("a\x00b\nc.txt") == "abc.txt"
    assert safe_name("") == "dokument"
