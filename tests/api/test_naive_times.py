"""Query times without a zone are read as Copenhagen time (the boards' calendar), never a 500."""

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from workflows.calendar import LOCAL


def test_a_time_without_zone_is_copenhagen_time(client: TestClient, auth) -> None:
    headers = auth("eva.holm")
    meetings = client.get("/api/v1/meetings", params={"after": "2016-06-01"}, headers=headers)
    assert meetings.status_code == 200 and meetings.json()
    first = min(meetings.json(), key=lambda m: m["starts_at"])
    local = datetime.fromisoformat(first["starts_at"]).astimezone(LOCAL).replace(tzinfo=None)
    ids = lambda after: [m["id"] for m in client.get("/api/v1/meetings", params={"after": after}, headers=headers).json()]  # noqa: E731
    # The meeting's own local wall-clock time: included (`after` is inclusive). Read as UTC it would name an instant
    # one or two hours after the meeting, and the meeting would be left out.
    assert first["id"] in ids(local.isoformat())
    assert first["id"] not in ids((local + timedelta(minutes=1)).isoformat())


def test_an_impossible_date_is_422(client: TestClient, auth) -> None:
    response = client.get("/api/v1/meetings", params={"before": "2016-13-45"}, headers=auth("eva.holm"))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "before"
