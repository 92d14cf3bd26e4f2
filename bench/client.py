"""HTTP clients on loopback: one keep-alive connection per client thread (stdlib http.client, nothing to install).

Each client drives its own change requests through STEPS with `POST /api/v1/cases/{id}/actions/{action}`, taking
the version for the next step from each answer, and times every request from sending it to reading the whole body.
"""

import http.client
import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic, perf_counter
from typing import Any

from bench.workload import STEPS

API = "/api/v1"
Request = Callable[[int, int, int], tuple[str, dict[str, Any]]]  # (case id, step index, version) -> (path, body)


@dataclass
class Run:
    """What the clients of one run did: wall seconds (first request to last answer) and (action, latency ms) each."""

    seconds: float = 0.0
    samples: list[tuple[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Client:
    def __init__(self, host: str, port: int, tokens: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.headers = {
            user: {"Authorization": f"Bearer {token}", "Content-Type": "application/json"} for user, token in tokens.items()
        }

    def call(self, method: str, path: str, body: Any = None, user: str | None = None) -> tuple[int, Any]:
        headers = self.headers[user] if user else {}
        self.connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        json_body = response.getheader("content-type", "").endswith("json")
        return response.status, json.loads(raw) if json_body else {"body": raw.decode(errors="replace")[:300]}

    def drive(self, case_ids: list[int], run: Run, deadline: float, request: Request) -> None:
        """Take each case from draft to closed, one request at a time, until done or past the deadline."""
        samples: list[tuple[str, float]] = []
        try:
            for case_id in case_ids:
                if monotonic() > deadline:
                    break
                version = 1
                for k, step in enumerate(STEPS):
                    path, body = request(case_id, k, version)
                    start = perf_counter()
                    status, case = self.call("POST", path, body, step.actor)
                    samples.append((step.action, (perf_counter() - start) * 1000))
                    if status != 200 or case.get("state") != step.to_state:
                        raise RuntimeError(f"case {case_id} {step.action}: HTTP {status} {str(case)[:300]}")
                    version = case["version"]
        except Exception as error:  # reported, and the run fails; the other clients go on
            run.errors.append(repr(error))
        finally:
            run.samples.extend(samples)  # list.extend is atomic under the GIL


def login(host: str, port: int, usernames: set[str]) -> dict[str, str]:
    """A bearer token per demo persona (Argon2 verification happens here, once, outside any timing)."""
    tokens = {}
    for username in sorted(usernames):
        connection = http.client.HTTPConnection(host, port, timeout=30)
        form = urllib.parse.urlencode({"username": username, "password": "demo"})
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", f"{API}/auth/token", body=form, headers=form_type)
        response = connection.getresponse()
        answer = json.loads(response.read())
        if response.status != 200:
            raise SystemExit(f"login as {username} failed: HTTP {response.status} {answer}")
        tokens[username] = answer["access_token"]
        connection.close()
    return tokens


def action(case_id: int, k: int, version: int) -> tuple[str, dict[str, Any]]:
    """The product's request for STEPS[k]: POST /api/v1/cases/{id}/actions/{action}."""
    step = STEPS[k]
    return f"{API}/cases/{case_id}/actions/{step.action}", {"expected_version": version, "data": step.data or {}}


def run_clients(
    host: str, port: int, tokens: dict[str, str], shares: list[list[int]], max_seconds: float, request: Request = action
) -> Run:
    """One thread and connection per share of cases; all connect and say hello first, then start together."""
    clients = [Client(host, port, tokens) for _ in shares]
    for client in clients:
        client.call("GET", "/healthz")  # connection open and warm before the clock starts
    run, start_line = Run(), threading.Barrier(len(shares) + 1)

    def work(client: Client, case_ids: list[int]) -> None:
        start_line.wait()
        client.drive(case_ids, run, monotonic() + max_seconds, request)

    threads = [threading.Thread(target=work, args=(c, ids)) for c, ids in zip(clients, shares, strict=True)]
    for thread in threads:
        thread.start()
    start_line.wait()
    start = perf_counter()
    for thread in threads:
        thread.join()
    run.seconds = perf_counter() - start
    for client in clients:
        client.connection.close()
    return run


def ping(host: str, port: int, requests: int) -> float:
    """Requests per second of GET /healthz from one client: uvicorn, FastAPI and the client, no database."""
    client = Client(host, port, {})
    client.call("GET", "/healthz")
    start = perf_counter()
    for _ in range(requests):
        client.call("GET", "/healthz")
    seconds = perf_counter() - start
    client.connection.close()
    return requests / seconds
