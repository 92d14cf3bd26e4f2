"""An Idempotency-Key replays only the same request from the same user; anything else is 422."""

from fastapi.testclient import TestClient

from tests.api.test_api_cases import open_change


def test_a_key_replays_only_the_same_request_from_the_same_user(client: TestClient, auth) -> None:
    case = open_change(client, auth)
    url = f"/api/v1/cases/{case['id']}/actions/submit"
    body = {"expected_version": 1, "comment": "Klar"}
    key = {"Idempotency-Key": f"submit-{case['id']}"}
    first = client.post(url, json=body, headers=auth("sara.norgaard") | key)
    assert first.status_code == 200, first.text
    replay = client.post(url, json=body, headers=auth("sara.norgaard") | key)
    assert replay.status_code == 200 and replay.json()["version"] == 2
    other_body = client.post(url, json=body | {"comment": "Noget andet"}, headers=auth("sara.norgaard") | key)
    assert other_body.status_code == 422 and "Idempotency-Key" in other_body.text
    other_user = client.post(url, json=body, headers=auth("camilla.juhl") | key)
    assert other_user.status_code == 422
    danish = client.post(url, json=body, headers=auth("camilla.juhl") | key | {"Accept-Language": "da"})
    assert "allerede brugt" in danish.json()["detail"]
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=auth("sara.norgaard")).json()
    assert [e["action"] for e in events] == ["open", "submit"]
