"""The /stats and /export endpoints over HTTP: who may ask, what each answers, and the downloads."""

import io
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

API = "/api/v1"
ENDPOINTS = [
    "/stats/lead-times",
    "/stats/time-in-state",
    "/stats/open-cases",
    "/stats/throughput",
    "/stats/forecasts",
    "/export/events.csv",
    "/export/events.xes",
]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_nobody_logged_in_gets_401(client: TestClient, path: str) -> None:
    assert client.get(API + path).status_code == 401


@pytest.mark.parametrize("group_by", ["case_type", "district", "plan", "board", "quarter"])
@pytest.mark.parametrize("unit", ["days", "working_days"])
def test_lead_times_per_group_and_unit(client: TestClient, auth, group_by: str, unit: str) -> None:
    body = client.get(
        f"{API}/stats/lead-times", params={"group_by": group_by, "unit": unit}, headers=auth("camilla.juhl")
    ).json()
    assert (body["group_by"], body["unit"]) == (group_by, unit)
    for group in body["groups"]:
        assert {"key", "label", "count", "open", "p50", "p85", "p95"} <= set(group)
        assert group["count"] == group["open"] + group["closed"]


def test_bad_parameters_are_422(client: TestClient, auth) -> None:
    headers = auth("camilla.juhl")
    assert client.get(f"{API}/stats/lead-times?group_by=colour", headers=headers).status_code == 422
    assert client.get(f"{API}/stats/throughput?from=yesterday", headers=headers).status_code == 422


def test_every_table_downloads_as_csv_and_excel(client: TestClient, auth) -> None:
    for path in ENDPOINTS[:5]:
        csv = client.get(f"{API}{path}?format=csv", headers=auth("camilla.juhl"))
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        xlsx = client.get(f"{API}{path}?format=xlsx", headers=auth("camilla.juhl"))
        assert xlsx.status_code == 200
        load_workbook(io.BytesIO(xlsx.content))  # a real workbook


def test_a_board_member_sees_only_their_boards_cases(client: TestClient, auth) -> None:
    def total(username: str) -> int:
        body = client.get(f"{API}/stats/lead-times", headers=auth(username)).json()
        return sum(g["count"] for g in body["groups"])

    everything = total("camilla.juhl")
    assert total("eva.holm") <= everything
    events = client.get(f"{API}/export/events.csv", headers=auth("eva.holm")).text.splitlines()
    assert len(events) - 1 <= len(client.get(f"{API}/export/events.csv", headers=auth("camilla.juhl")).text.splitlines()) - 1


def test_the_event_log_as_csv_and_xes(client: TestClient, auth) -> None:
    headers = auth("camilla.juhl")
    client.post(
        f"{API}/cases",
        headers=headers,
        json={"case_type": "charter", "board_id": 2, "title": "Til eksporten", "data": {"decision_rule": "unanimity"}},
    )
    lines = client.get(f"{API}/export/events.csv", headers=headers).text.splitlines()
    assert lines[0] == "case_id,reference,case_type,activity,timestamp,resource,from_state,to_state,plan,district"
    assert len(lines) > 1
    log = ET.fromstring(client.get(f"{API}/export/events.xes", headers=headers).content)
    traces = log.findall("{http://www.xes-standard.org/}trace")
    events = [e for t in traces for e in t.findall("{http://www.xes-standard.org/}event")]
    assert len(events) == len(lines) - 1


def test_forecasts_per_meeting_and_how_often_they_held(client: TestClient, auth) -> None:
    body = client.get(f"{API}/stats/forecasts", headers=auth("camilla.juhl")).json()
    assert set(body) >= {"meetings", "held"}
    for row in body["meetings"]:
        assert {"board_id", "board", "date", "expected"} <= set(row)
