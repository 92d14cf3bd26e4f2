"""Real concurrent clients against a real `serve` process (with its embedded worker), on SQLite and PostgreSQL:
logins, comments and uploads in parallel answer what they should, never 500, and leave no orphaned files.
"""

import socket
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import pytest

from tests.served import Served

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def in_parallel(calls: list[Callable[[], httpx2.Response]], clients: int = 16) -> list[httpx2.Response]:
    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(lambda call: call(), calls))


def login(base: str, username: str, password: str, address: str | None = None) -> Callable[[], httpx2.Response]:
    headers = {"X-Forwarded-For": address} if address else {}
    return lambda: httpx2.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": password}, headers=headers, timeout=120
    )


def test_parallel_logins_of_different_users_all_succeed(served: Served) -> None:
    users = [
        "camilla.juhl",
        "sara.bech",
        "eva.holm",
        "hassan.omar",
        "sara.norgaard",
        "kim.aagaard",
        "emil.bruun",
        "noah.skov",
    ]
    statuses = [r.status_code for r in in_parallel([login(served.base, u, "demo") for u in users])]
    assert statuses == [200] * len(users)


def test_a_burst_of_wrong_passwords_is_throttled_and_counted(served: Served) -> None:
    guesser = "203.0.113.9"
    burst = [login(served.base, "hassan.omar", f"guess-{i}", guesser) for i in range(64)]
    burst.insert(32, login(served.base, "hassan.omar", "demo", guesser))  # the right password inside the burst
    counts = Counter(r.status_code for r in in_parallel(burst))
    assert counts[500] == 0 and set(counts) <= {200, 401, 429}, counts
    assert counts[401] + counts[200] == 5 and counts[429] == 60, counts  # exactly five attempts were checked
    assert login(served.base, "hassan.omar", "demo", "203.0.113.10")().status_code == 200  # the owner elsewhere


def case_for_attachments(served: Served) -> tuple[int, dict[str, str]]:
    headers = {"Authorization": f"Bearer {served.token('sara.norgaard')}"}
    plans = httpx2.get(f"{served.base}/api/v1/plans", headers=headers, timeout=30).json()
    hp10 = next(p["id"] for p in plans if p["code"] == "HP-10")
    body = {
        "case_type": "change_request",
        "plan_id": hp10,
        "title": "Bilag i stakke",
        "data": {"kind": "content", "change_description": "Mange bilag på én gang"},
    }
    opened = httpx2.post(f"{served.base}/api/v1/cases", json=body, headers=headers, timeout=30)
    assert opened.status_code == 201, opened.text
    return int(opened.json()["id"]), headers


def test_parallel_comments_are_all_stored(served: Served) -> None:
    case_id, headers = case_for_attachments(served)
    url = f"{served.base}/api/v1/cases/{case_id}/comments"

    def post(i: int) -> Callable[[], httpx2.Response]:
        return lambda: httpx2.post(url, json={"body": f"Kommentar {i}"}, headers=headers, timeout=120)

    statuses = Counter(r.status_code for r in in_parallel([post(i) for i in range(32)]))
    assert statuses == Counter({201: 32})
    stored = httpx2.get(url, headers=headers, timeout=30).json()
    assert sorted(c["body"] for c in stored) == sorted(f"Kommentar {i}" for i in range(32))


def test_parallel_uploads_leave_exactly_one_file_per_document(served: Served) -> None:
    case_id, headers = case_for_attachments(served)
    url = f"{served.base}/api/v1/cases/{case_id}/documents"
    folder = served.var / "documents"
    before = set(folder.iterdir()) if folder.exists() else set()

    def upload(i: int, content: bytes) -> Callable[[], httpx2.Response]:
        files: Any = {"file": (f"bilag-{i}.pdf", content, "application/pdf")}
        return lambda: httpx2.post(url, files=files, headers=headers, timeout=120)

    good = [upload(i, PDF + f"% {i}\n".encode()) for i in range(32)]
    bad = [upload(100 + i, b"MZ not a pdf %d" % i) for i in range(8)]  # refused by content: nothing may stay
    responses = in_parallel(good + bad)
    assert Counter(r.status_code for r in responses) == Counter({201: 32, 422: 8})
    listed = httpx2.get(url, headers=headers, timeout=30).json()
    assert len(listed) == 32
    added = set(folder.iterdir()) - before
    assert {p.name for p in added} == {d["sha256"] for d in listed}  # no orphans, no temporary files left


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("path", "content_type"), [("/api/v1/cases", "application/json"), ("/login", FORM), ("/api/v1/auth/token", FORM)]
)
def test_a_streamed_body_over_the_limit_is_refused_before_it_is_read(served: Served, path: str, content_type: str) -> None:
    rss_before = served.rss_kib()
    sent = 0

    def chunks() -> Any:
        nonlocal sent
        while sent < 300 << 20:  # a 300 MB body with no token, sent chunked (no Content-Length to check)
            sent += 1 << 16
            yield b" " * (1 << 16)

    response = httpx2.post(f"{served.base}{path}", content=chunks(), timeout=60, headers={"Content-Type": content_type})
    assert response.status_code == 413 and response.json()["status"] == 413
    assert sent < 50 << 20  # the server stopped reading long before the end
    assert served.rss_kib() - rss_before < 64 << 10  # and did not buffer the body


def test_a_declared_length_over_the_limit_is_refused_at_once(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as connection:  # only the head is sent
        connection.sendall(
            b"POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n{" % (300 << 20)
        )
        answer = connection.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 413") and "application/problem+json" in answer


def test_uploads_may_be_as_large_as_configured_and_no_larger(served: Served) -> None:
    case_id, headers = case_for_attachments(served)
    url = f"{served.base}/api/v1/cases/{case_id}/documents"
    fits = PDF + b"0" * ((2 << 20) - len(PDF) - 1024)  # just under the 2 MB the server is configured with
    assert httpx2.post(url, files={"file": ("stor.pdf", fits)}, headers=headers, timeout=60).status_code == 201
    too_big = PDF + b"0" * (3 << 20)
    assert httpx2.post(url, files={"file": ("for-stor.pdf", too_big)}, headers=headers, timeout=60).status_code == 413
    comment = httpx2.post(f"{url[: -len('documents')]}comments", json={"body": "x" * (2 << 20)}, headers=headers, timeout=60)
    assert comment.status_code == 413  # JSON bodies have the small limit, not the upload one


def test_parallel_deadline_extensions_one_wins_the_rest_are_told_why(served: Served) -> None:
    case_id, leader = case_for_attachments(served)
    submitted = httpx2.post(
        f"{served.base}/api/v1/cases/{case_id}/actions/submit", json={"expected_version": 1}, headers=leader, timeout=30
    ).json()
    [deadline] = submitted["deadlines"]
    secretariat = {"Authorization": f"Bearer {served.token('sara.bech')}"}
    url = f"{served.base}/api/v1/cases/{case_id}/deadlines/{deadline['id']}/extend"

    def extend(day: int) -> Callable[[], httpx2.Response]:
        body = {"expected_version": submitted["version"], "reason": f"Forlænget {day}", "due_on": f"2017-03-{day:02d}"}
        return lambda: httpx2.post(url, json=body, headers=secretariat, timeout=120)

    responses = in_parallel([extend(day) for day in range(1, 17)])
    assert Counter(r.status_code for r in responses) == Counter({200: 1, 409: 15})
    assert all(
        "ændrede sagen" in r.json()["detail"] or "changed" in r.json()["detail"] for r in responses if r.status_code == 409
    )
    events = httpx2.get(f"{served.base}/api/v1/cases/{case_id}/events", headers=secretariat, timeout=30).json()
    assert [e["action"] for e in events].count("deadline_extended") == 1


def test_parallel_preference_changes_one_wins_the_rest_are_told_why(served: Served) -> None:
    headers = {"Authorization": f"Bearer {served.token('camilla.juhl')}"}
    url = f"{served.base}/api/v1/me/preferences"
    version = httpx2.get(url, headers=headers, timeout=30).json()["version"]

    def choose(digest: bool) -> Callable[[], httpx2.Response]:
        body = {"expected_version": version, "language": "da", "daily_digest": digest, "immediate_topics": []}
        return lambda: httpx2.put(url, json=body, headers=headers, timeout=120)

    responses = in_parallel([choose(i % 2 == 0) for i in range(16)])
    assert Counter(r.status_code for r in responses) == Counter({200: 1, 409: 15})
    assert httpx2.get(url, headers=headers, timeout=30).json()["version"] == version + 1
