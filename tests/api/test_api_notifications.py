"""Deadlines paused, resumed and extended by the secretariat; reminders snoozed; mail preferences; mails."""

from datetime import date

from fastapi.testclient import TestClient

from tests.api.test_api_cases import act, open_change

S = "sara.bech"


def screening(client: TestClient, auth) -> tuple[dict, dict]:
    case = act(client, auth, open_change(client, auth), "sara.norgaard", "submit")
    [deadline] = case["deadlines"]
    return case, deadline


def change(client: TestClient, auth, case: dict, deadline: dict, what: str, who: str = S, **body: object):
    """POST .../pause or .../extend; "resume" is DELETE .../pause (the pause is the resource that ends)."""
    method, last = ("DELETE", "pause") if what == "resume" else ("POST", what)
    return client.request(
        method,
        f"/api/v1/cases/{case['id']}/deadlines/{deadline['id']}/{last}",
        json={"expected_version": case["version"], "reason": "Afventer svar fra boligorganisationen", **body},
        headers=auth(who),
    )


def test_a_deadline_shows_its_reminder_ladder(client: TestClient, auth) -> None:
    _, deadline = screening(client, auth)
    assert deadline["status"] == "open" and deadline["da"] == "Screening" and deadline["paused_since"] is None
    assert [r["name"] for r in deadline["rungs"]][-2:] == ["escalate_1", "escalate_2"]
    assert deadline["next_rung"] == deadline["rungs"][0]["name"] and not any(r["fired"] for r in deadline["rungs"])


def test_the_secretariat_pauses_resumes_and_extends_with_reasons_in_the_history(client: TestClient, auth) -> None:
    case, deadline = screening(client, auth)
    paused = change(client, auth, case, deadline, "pause")
    assert paused.status_code == 200, paused.text
    case = paused.json()
    assert case["deadlines"][0]["paused_since"] is not None and case["version"] == 3
    assert change(client, auth, case, deadline, "pause").status_code == 409  # paused already
    case = change(client, auth, case, deadline, "resume").json()
    later = date.fromisoformat(deadline["due_on"]).replace(day=28).isoformat()
    extended = change(client, auth, case, deadline, "extend", due_on=later)
    assert extended.status_code == 200, extended.text
    assert extended.json()["deadlines"][0]["due_on"] >= later
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=auth(S)).json()
    assert [e["action"] for e in events][-3:] == ["deadline_paused", "deadline_resumed", "deadline_extended"]
    assert events[-1]["comment"] == "Afventer svar fra boligorganisationen"
    assert events[-1]["data"]["was_due_on"] == deadline["due_on"]


def test_deadline_changes_refused_with_reasons(client: TestClient, auth) -> None:
    case, deadline = screening(client, auth)
    not_secretariat = client.post(
        f"/api/v1/cases/{case['id']}/deadlines/{deadline['id']}/pause",
        json={"expected_version": case["version"], "reason": "Vent"},
        headers={**auth("sara.norgaard"), "Accept-Language": "da"},
    )
    assert not_secretariat.status_code == 403 and "Kun sekretariatet" in not_secretariat.json()["detail"]
    earlier = change(client, auth, case, deadline, "extend", due_on="2016-01-01")
    assert earlier.status_code == 422 and earlier.json()["errors"][0]["field"] == "due_on"
    no_reason = client.post(
        f"/api/v1/cases/{case['id']}/deadlines/{deadline['id']}/pause",
        json={"expected_version": case["version"], "reason": ""},
        headers=auth(S),
    )
    assert no_reason.status_code == 422
    stale = change(client, auth, {**case, "version": case["version"] - 1}, deadline, "pause")
    assert stale.status_code == 409 and stale.json()["version"] == case["version"]
    other = client.post(
        f"/api/v1/cases/{case['id']}/deadlines/999999/pause",
        json={"expected_version": case["version"], "reason": "Hvorfor"},
        headers=auth(S),
    )
    assert other.status_code == 404
    assert change(client, auth, case, deadline, "pause").status_code == 200  # nothing of the above left a trace


def test_anyone_reminded_may_snooze_for_themselves(client: TestClient, auth, app) -> None:
    case, deadline = screening(client, auth)
    today = app.state.clock.today()
    url = f"/api/v1/cases/{case['id']}/deadlines/{deadline['id']}/snooze"
    ok = client.put(url, json={"until": today.isoformat()}, headers=auth("camilla.juhl"))
    assert ok.status_code == 200 and ok.json() == {"deadline_id": deadline["id"], "until": today.isoformat()}
    too_far = client.put(url, json={"until": today.replace(year=today.year + 1).isoformat()}, headers=auth("camilla.juhl"))
    assert too_far.status_code == 422
    unseen = client.put(url, json={"until": today.isoformat()}, headers=auth("hassan.omar"))  # a resident: not visible
    assert unseen.status_code == 404


def test_mail_preferences_are_one_persons_and_a_stale_form_is_refused(client: TestClient, auth) -> None:
    me = client.get("/api/v1/me/preferences", headers=auth("jakob.vinther")).json()
    assert me["language"] == "da" and me["daily_digest"] is True
    body = {"expected_version": me["version"], "language": "en", "daily_digest": False, "immediate_topics": ["approve"]}
    saved = client.put("/api/v1/me/preferences", json=body, headers=auth("jakob.vinther"))
    assert saved.status_code == 200 and saved.json()["version"] == me["version"] + 1
    assert client.put("/api/v1/me/preferences", json=body, headers=auth("jakob.vinther")).status_code == 409
    unknown = client.put(
        "/api/v1/me/preferences",
        json={**body, "expected_version": me["version"] + 1, "immediate_topics": ["fly"]},
        headers=auth("jakob.vinther"),
    )
    assert unknown.status_code == 422
    reset = {"expected_version": me["version"] + 1, "language": "da", "daily_digest": True, "immediate_topics": []}
    assert client.put("/api/v1/me/preferences", json=reset, headers=auth("jakob.vinther")).status_code == 200


def test_mails_are_readable_by_their_owner_and_the_secretariat(client: TestClient, auth) -> None:
    assert client.get("/api/v1/me/mails", headers=auth("eva.holm")).json()["items"] is not None
    assert client.get("/api/v1/mails", headers=auth("eva.holm")).status_code == 403
    listed = client.get("/api/v1/mails?state=failing", headers=auth(S))
    assert listed.status_code == 200 and set(listed.json()) == {"items", "total"}
    assert client.get("/api/v1/mails/999999", headers=auth(S)).status_code == 404


def test_readiness_shows_the_mail_backlog(client: TestClient) -> None:
    mail = client.get("/readyz").json()["checks"]["mail"]
    assert "outbox rows" in mail["detail"] and "last delivery" in mail["detail"]


def test_a_housing_organisation_chooses_where_its_weekly_list_goes(client: TestClient, auth) -> None:
    orgs = {o["code"]: o["id"] for o in client.get("/api/v1/organisations", headers=auth(S)).json()}
    url = f"/api/v1/organisations/{orgs['AAB']}/weekly-digest"
    box = {"expected": None, "to": "postkasse@aab.example.org"}
    assert client.put(url, json=box, headers=auth("niels.ravn")).status_code == 403  # sits for SAB, not AAB
    saved = client.put(url, json=box, headers=auth("ella.kvist"))  # AAB's designated officer
    assert saved.status_code == 200 and saved.json()["to"] == "postkasse@aab.example.org"
    assert client.put(url, json=box, headers=auth(S)).status_code == 409  # it is no longer None
    assert client.put(url, json={"expected": box["to"], "to": "ikke en adresse"}, headers=auth(S)).status_code == 422
    stopped = client.put(url, json={"expected": box["to"], "to": None}, headers=auth(S))
    assert stopped.status_code == 200 and stopped.json()["to"] is None
    assert client.put(f"/api/v1/organisations/{orgs['KK']}/weekly-digest", json=box, headers=auth(S)).status_code == 404
