"""Who may see and do what on a change request, as a matrix generated from domain.md §3 and checked over HTTP.

The oracle (`sees`, `expected`) is written from the governance rules and the demo register alone, never from
the service's code: personas are derived from `copenhagen-2016.yaml` (employment, seats, represented
organisations, plans led, system role), the case is a change request on HP-10 "Husum for Alle" (parties FSB
and AAB, district D5, so its deciding board is BB-D5; its local group is LG-HP-10). For every state in `STATES`
a fresh case is opened and driven there by the secretariat, and then, for every persona:

* `GET /cases/{id}` (and its events, comments and documents) is 200 or 404 — invisible is 404, never 403 —
  and the case is in `GET /cases` exactly when it is visible;
* every action of the case type answers 200, 403, 409 or 422 as the oracle says (refusals on one case, which
  must keep its version; each accepted action on a fresh case of its own, which must move as §4.1 says);
* `allowed_actions` of the case and the `actionable` inbox name exactly the actions the oracle accepts.

How the rules are read where they leave room (each choice is the oracle's, stated once here):

* Roles come from employment and seats (§3): whoever works for a housing organisation, or for the administrator
  that runs it, acts for it ("housing-org officer"), whatever their title — so karen.lindholt (central board,
  employed by fsb) and the fsb/AAB board members are party organisations of HP-10 as well.
* Applicants (§4.1 "drafted by the plan's project leader, a party housing org or the secretariat") edit, submit,
  withdraw (any state before the decision), revise a returned request and answer LBF's queries.
* The secretariat alone screens, sends to consultation, closes it, marks ready, schedules, records the outcome
  (approve/reject/send back/postpone), talks to LBF, implements and closes; it also records votes for any party
  organisation and consultation answers received otherwise.
* Votes: a member of the deciding board, for a party organisation that seat represents (§3 "vote only on cases of
  plans whose grant names the organisation they represent"). Advisory statements: the City's members of the
  deciding board (§3 "KK members record advisory statements"), the party members and the secretariat.
* Local-group members see the plan's cases only while in `consultation`, and answer consultations.
* Analysts see every case and may take no action. Board members see the cases their board decides.
* Precedence of refusals: invisible 404; an action the state does not offer 409 (whoever asks); not the caller's
  to take 403; possible for the caller but not in the case's situation (no votes carry a decision yet; no LBF
  approval needed) 409; otherwise 200. Every request sends valid data, so 422 does not arise here.
"""

import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

REGISTER = Path(__file__).resolve().parents[1] / "service" / "demo" / "copenhagen-2016.yaml"
PLAN = "HP-10"
SECRETARY = "sara.bech"  # drives every case; any secretariat caseworker could
API = "/api/v1"

PERSONAS = {  # username -> who they are in relation to HP-10, for the failure messages
    "camilla.juhl": "secretariat",
    "sara.bech": "secretariat (BB-D5's secretary)",
    "sara.norgaard": "project leader of HP-10",
    "noah.skov": "project leader of other plans",
    "gustav.lind": "housing-org officer of party FSB",
    "eva.holm": "BB-D5 member for party FSB",
    "bo.iversen": "BB-D5 member for party AAB",
    "niels.ravn": "BB-D5 member for non-party SAB",
    "henrik.bay": "BB-D5 City member (TMF)",
    "karen.lindholt": "central-board chair, employed by party FSB",
    "jonas.kjaersgaard": "central-board member for non-party 3B",
    "hassan.omar": "resident in LG-HP-10",
    "analytiker": "analyst",
}

BEFORE_DECISION = ("draft", "submitted", "screening", "consultation", "ready_for_decision", "scheduled", "returned")
# domain.md §4.1 in the API's action vocabulary: action -> (states it is possible in, state after it; None: stays)
ACTIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "edit": (("draft",), None),
    "submit": (("draft",), "submitted"),
    "start_screening": (("submitted",), "screening"),
    "start_consultation": (("screening",), "consultation"),
    "mark_ready": (("screening",), "ready_for_decision"),
    "respond": (("consultation",), None),
    "close_consultation": (("consultation",), "ready_for_decision"),
    "schedule": (("ready_for_decision",), "scheduled"),
    "vote": (("scheduled",), None),
    "give_statement": (("scheduled",), None),
    "approve": (("scheduled",), "approved"),
    "reject": (("scheduled",), "rejected"),
    "send_back": (("scheduled",), "returned"),
    "postpone": (("scheduled",), "ready_for_decision"),
    "revise": (("returned",), "draft"),
    "send_to_lbf": (("approved",), "awaiting_lbf"),
    "record_lbf_approval": (("awaiting_lbf",), "lbf_approved"),
    "record_lbf_rejection": (("awaiting_lbf",), "lbf_rejected"),
    "record_lbf_query": (("awaiting_lbf",), "lbf_queried"),
    "answer_lbf_query": (("lbf_queried",), "awaiting_lbf"),
    "implement": (("approved", "lbf_approved"), "implemented"),
    "close": (("implemented",), "closed"),
    "withdraw": (BEFORE_DECISION, "withdrawn"),
}
APPLICANT_ACTIONS = {"edit", "submit", "withdraw", "revise", "answer_lbf_query"}
SECRETARIAT_ACTIONS = {
    "start_screening", "start_consultation", "close_consultation", "mark_ready", "schedule", "approve", "reject",
    "send_back", "postpone", "send_to_lbf", "record_lbf_approval", "record_lbf_rejection", "record_lbf_query",
    "implement", "close",
}  # fmt: skip

# A small economic change within one activity area and funder: no LBF approval under §4.1's default policy.
MOVE = {"from_area": "UB", "from_year": 2017, "from_funder": "LBF", "to_area": "UB", "to_year": 2016, "to_funder": "LBF",
        "amount_dkk": 1_000}  # fmt: skip
DRIVE: dict[str, list[tuple[str, dict[str, Any]]]] = {"draft": []}  # state -> the secretariat's steps from draft
DRIVE["submitted"] = [("submit", {})]
DRIVE["screening"] = [*DRIVE["submitted"], ("start_screening", {})]
DRIVE["consultation"] = [*DRIVE["screening"], ("start_consultation", {})]
DRIVE["ready_for_decision"] = [*DRIVE["screening"], ("mark_ready", {})]
DRIVE["scheduled"] = [*DRIVE["ready_for_decision"], ("schedule", {"written_procedure": True})]
DRIVE["returned"] = [*DRIVE["scheduled"], ("send_back", {})]
DRIVE["approved"] = [*DRIVE["scheduled"], ("vote", {"organisation": "FSB", "vote": "approve"}),
                     ("vote", {"organisation": "AAB", "vote": "approve"}), ("approve", {})]  # fmt: skip
STATES = list(DRIVE)


# --- the register, read from the demo YAML -------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    username: str
    secretariat: bool  # employed by the secretariat
    analyst: bool  # granted read access
    acts_for: frozenset[str]  # housing organisations: their employer, or those their employer administers
    city: bool  # employed by a City administration
    seats: tuple[tuple[str, frozenset[str]], ...]  # (board, organisations represented there)
    leads: frozenset[str]  # plans they are project leader of

    def seat(self, board: str) -> frozenset[str] | None:
        """The organisations represented on `board`, or None without a seat there."""
        return next((orgs for b, orgs in self.seats if b == board), None)


@dataclass(frozen=True)
class PlanFacts:
    code: str
    parties: frozenset[str]
    deciding_board: str
    local_groups: frozenset[str]


@cache
def register() -> dict[str, Any]:
    return yaml.safe_load(REGISTER.read_text(encoding="utf-8"))


@cache
def persona(username: str) -> Persona:
    reg = register()
    person = next(p for p in reg["people"] if p["username"] == username)
    employer = person.get("works_for")
    acts_for = frozenset(
        h["id"] for h in reg["housing_organisations"] if employer and employer in (h["id"], h.get("administrator"))
    )
    represented = frozenset(person.get("represents") or ([employer] if employer else []))
    return Persona(
        username=username,
        secretariat=employer == reg["secretariat"]["id"],
        analyst=person.get("role") == "analyst",
        acts_for=acts_for,
        city=employer in {a["id"] for a in reg["administrations"]},
        seats=tuple((s["board"], represented) for s in person.get("boards") or []),
        leads=frozenset(person.get("project_leader_of") or []),
    )


@cache
def plan_facts(code: str) -> PlanFacts:
    reg = register()
    plan = next(p for p in reg["plans"] if p["id"] == code)
    if plan.get("competence") == "central":  # after a competence transfer (§4.5)
        deciding = next(b["id"] for b in reg["boards"] if b["kind"] == "central")
    else:
        deciding = next(b["id"] for b in reg["boards"] if b["kind"] == "district" and b["district"] == plan["district"])
    local = frozenset(b["id"] for b in reg["boards"] if b["kind"] == "local" and b.get("plan") == code)
    return PlanFacts(code=code, parties=frozenset(plan["parties"]), deciding_board=deciding, local_groups=local)


# --- the oracle: domain.md §3 ---------------------------------------------------------------------------------


def sees(username: str, state: str, plan: str = PLAN) -> bool:
    """Whether the persona may see a case of `plan` in `state`."""
    who, facts = persona(username), plan_facts(plan)
    return (
        who.secretariat
        or who.analyst
        or plan in who.leads
        or bool(who.acts_for & facts.parties)
        or who.seat(facts.deciding_board) is not None
        or (state == "consultation" and any(who.seat(board) is not None for board in facts.local_groups))
    )


def vote_for(username: str, plan: str = PLAN) -> str:
    """The organisation a persona would cast a vote for: the one they represent on the deciding board if any."""
    who, facts = persona(username), plan_facts(plan)
    seat = who.seat(facts.deciding_board) or frozenset()
    secretariat = facts.parties if who.secretariat else frozenset()  # records the vote of any party organisation
    for candidates in (seat & facts.parties, secretariat, seat, who.acts_for & facts.parties, who.acts_for):
        if candidates:
            return sorted(candidates)[0]
    return sorted(facts.parties)[0]


def may(username: str, action: str, plan: str = PLAN) -> bool:
    """Whether the action is the persona's to take on a case of `plan` (§3), whatever the case's state."""
    who, facts = persona(username), plan_facts(plan)
    if who.analyst and not who.secretariat:
        return False
    applicant = who.secretariat or plan in who.leads or bool(who.acts_for & facts.parties)
    seat = who.seat(facts.deciding_board)
    if action in APPLICANT_ACTIONS:
        return applicant
    if action in SECRETARIAT_ACTIONS:
        return who.secretariat
    if action == "respond":
        return who.secretariat or any(who.seat(board) is not None for board in facts.local_groups)
    if action == "vote":
        org = vote_for(username, plan)
        return org in facts.parties and (who.secretariat or (seat is not None and org in seat))
    if action == "give_statement":
        return who.secretariat or (seat is not None and (who.city or bool(seat & facts.parties)))
    raise AssertionError(f"the oracle does not know the action {action!r}")


def blocked(action: str, state: str) -> bool:
    """The case's situation refuses the action even to someone who may take it (a 409)."""
    if action in ("approve", "reject") and state == "scheduled":
        return True  # the cases driven to `scheduled` have no votes yet: no outcome is carried
    return action == "send_to_lbf"  # MOVE stays within one activity area and funder: no LBF approval needed


def expected(username: str, action: str, state: str) -> int:
    """The status `POST /cases/{id}/actions/{action}` must answer to the persona on an HP-10 case in `state`."""
    if not sees(username, state):
        return 404
    if state not in ACTIONS[action][0]:
        return 409
    if not may(username, action):
        return 403
    if blocked(action, state):
        return 409
    return 200


def accepted(username: str, state: str) -> set[str]:
    return {a for a in ACTIONS if expected(username, a, state) == 200}


# --- talking to the app -------------------------------------------------------------------------------------


def action_data(username: str, action: str) -> dict[str, Any]:
    """Valid data for the action, as this persona would send it."""
    if action == "edit":
        return {"change_description": f"Flyt 1.000 kr. i UB fra 2017 til 2016 ({username})"}
    if action in ("respond", "give_statement", "answer_lbf_query"):
        return {"text": f"Bemærkning fra {username}"}
    if action == "vote":
        return {"organisation": vote_for(username), "vote": "approve"}
    if action == "schedule":
        return {"written_procedure": True}
    return {}


@cache
def _plan_ids(client: TestClient) -> dict[str, int]:
    token = client.post(f"{API}/auth/token", data={"username": SECRETARY, "password": "demo"}).json()["access_token"]
    plans = client.get(f"{API}/plans", headers={"Authorization": f"Bearer {token}"}).json()
    return {p["code"]: p["id"] for p in plans}


def post_action(
    client: TestClient, auth, case: dict, username: str, action: str, data: dict | None = None, version: int | None = None
) -> Any:
    body = {
        "expected_version": case["version"] if version is None else version,
        "comment": f"rollematrix: {username} {action}",
        "data": action_data(username, action) if data is None else data,
    }
    return client.post(f"{API}/cases/{case['id']}/actions/{action}", json=body, headers=auth(username))


def drive(client: TestClient, auth, state: str) -> dict:
    """A new change request on HP-10, opened and driven to `state` by the secretariat."""
    body = {"case_type": "change_request", "plan_id": _plan_ids(client)[PLAN],
            "title": f"Rollematrix {state} {uuid.uuid4().hex[:8]}",
            "data": {"kind": "economic", "change_description": "Flyt 1.000 kr. i UB fra 2017 til 2016",
                     "budget_moves": [MOVE]}}  # fmt: skip
    response = client.post(f"{API}/cases", json=body, headers=auth(SECRETARY))
    assert response.status_code == 201, f"setup: {SECRETARY} could not open a change request: {response.text}"
    case = response.json()
    for action, data in DRIVE[state]:
        response = post_action(client, auth, case, SECRETARY, action, data)
        assert response.status_code == 200, f"setup: driving to {state!r}, {SECRETARY} {action}: {response.text}"
        case = response.json()
    assert case["state"] == state, f"setup: driven to {case['state']!r}, not {state!r}"
    return case


def detail(response: Any) -> str:
    try:
        return str(response.json().get("detail", response.text))[:200]
    except ValueError:
        return response.text[:200]


def where(username: str, state: str) -> str:
    return f"{username} ({PERSONAS.get(username, '?')}) in state {state!r}"


@pytest.fixture(scope="session")
def read_only_cases(client: TestClient, auth):
    """One case per state per backend, only ever read (never acted on), shared by the visibility tests."""
    cases: dict[str, dict] = {}

    def get(state: str) -> dict:
        if state not in cases:
            cases[state] = drive(client, auth, state)
        return cases[state]

    return get


# --- the oracle against itself: a few cells written out by hand --------------------------------------------


@pytest.mark.parametrize(
    ("username", "action", "state", "status"),
    [
        ("noah.skov", "submit", "draft", 404),  # leads other plans only
        ("jonas.kjaersgaard", "vote", "scheduled", 404),  # central board, and HP-10 was not transferred
        ("hassan.omar", "respond", "screening", 404),  # residents see consultations only
        ("hassan.omar", "respond", "consultation", 200),
        ("hassan.omar", "close_consultation", "consultation", 403),
        ("analytiker", "submit", "draft", 403),  # sees everything, acts on nothing
        ("analytiker", "approve", "draft", 409),  # not possible in the state, whoever asks
        ("sara.norgaard", "submit", "draft", 200),
        ("gustav.lind", "withdraw", "scheduled", 200),  # a party organisation may withdraw before the decision
        ("gustav.lind", "vote", "scheduled", 403),  # no seat on BB-D5
        ("eva.holm", "vote", "scheduled", 200),
        ("niels.ravn", "vote", "scheduled", 403),  # SAB is not a party to HP-10
        ("niels.ravn", "submit", "draft", 403),
        ("henrik.bay", "vote", "scheduled", 403),  # the City advises on change requests, it does not vote
        ("henrik.bay", "give_statement", "scheduled", 200),
        ("camilla.juhl", "approve", "scheduled", 409),  # no votes yet
        ("sara.bech", "vote", "scheduled", 200),  # BB-D5's secretary records a party's vote, not one for SEK
        ("sara.bech", "implement", "approved", 200),
        ("sara.bech", "send_to_lbf", "approved", 409),  # no LBF approval needed
        ("karen.lindholt", "edit", "draft", 200),  # employed by fsb: acts for a party
        ("bo.iversen", "withdraw", "approved", 409),  # decided: too late to withdraw
    ],
)
def test_the_oracle_reads_the_rules_as_stated(username: str, action: str, state: str, status: int) -> None:
    assert expected(username, action, state) == status


def test_the_oracle_knows_every_action_of_the_published_case_type(client: TestClient, auth) -> None:
    workflow = client.get(f"{API}/workflows/change_request", headers=auth(SECRETARY)).json()
    assert {a["name"] for a in workflow["actions"]} == set(ACTIONS)
    assert set(STATES) <= {s["name"] for s in workflow["states"]}


# --- the matrix over HTTP -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("username", PERSONAS)
def test_who_sees_the_case(client: TestClient, auth, read_only_cases, username: str, state: str) -> None:
    case = read_only_cases(state)
    want = 200 if sees(username, state) else 404
    mismatches = []
    for suffix in ("", "/events", "/comments", "/documents"):
        response = client.get(f"{API}/cases/{case['id']}{suffix}", headers=auth(username))
        if response.status_code != want:
            mismatches.append(f"GET /cases/{{id}}{suffix}: expected {want}, got {response.status_code}: {detail(response)}")
        elif suffix == "" and want == 200 and (response.json()["id"], response.json()["state"]) != (case["id"], state):
            mismatches.append(f"GET /cases/{{id}}: got {response.json()['id']} in {response.json()['state']!r}")
    params: dict[str, Any] = {"plan_id": case["plan_id"], "state": state, "limit": 200}
    listed = client.get(f"{API}/cases", params=params, headers=auth(username))
    if listed.status_code != 200:
        mismatches.append(f"GET /cases: expected 200, got {listed.status_code}: {detail(listed)}")
    elif (case["id"] in [c["id"] for c in listed.json()["items"]]) != (want == 200):
        mismatches.append(f"GET /cases: the case should {'' if want == 200 else 'not '}be listed")
    assert not mismatches, f"{where(username, state)}:\n  " + "\n  ".join(mismatches)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("username", PERSONAS)
def test_who_may_act(client: TestClient, auth, username: str, state: str) -> None:
    mismatches = []
    target = drive(client, auth, state)  # takes every refusal; replaced if an action it should refuse goes through
    spoiled = False
    for action in ACTIONS:
        want = expected(username, action, state)
        if want == 200:
            continue
        response = post_action(client, auth, target, username, action)
        if response.status_code != want:
            mismatches.append(f"{action}: expected {want}, got {response.status_code}: {detail(response)}")
        if response.status_code == 200:
            target, spoiled = drive(client, auth, state), True
    mine = sorted(accepted(username, state))
    stale = target["version"] - 1 if target["version"] > 1 else target["version"] + 1
    response = post_action(client, auth, target, username, mine[0] if mine else "submit", version=stale)
    want = 409 if mine else (404 if not sees(username, state) else None)  # 403 or 409 both fit a stale forbidden act
    if want is not None and response.status_code != want:
        mismatches.append(
            f"{mine[0] if mine else 'submit'} with stale expected_version {stale}: expected {want}, "
            f"got {response.status_code}: {detail(response)}"
        )
    if not spoiled and response.status_code != 200:
        after = client.get(f"{API}/cases/{target['id']}", headers=auth(SECRETARY)).json()
        if (after["version"], after["state"]) != (target["version"], state):
            mismatches.append(f"refusals left a trace: now version {after['version']} in {after['state']!r}")
    for action in mine:
        fresh = drive(client, auth, state)
        response = post_action(client, auth, fresh, username, action)
        if response.status_code != 200:
            mismatches.append(f"{action}: expected 200, got {response.status_code}: {detail(response)}")
            continue
        after = response.json()
        moved_to = ACTIONS[action][1] or state
        if (after["state"], after["version"]) != (moved_to, fresh["version"] + 1):
            mismatches.append(
                f"{action}: accepted, but now in {after['state']!r} at version {after['version']} "
                f"(expected {moved_to!r} at version {fresh['version'] + 1})"
            )
    assert not mismatches, f"{where(username, state)}:\n  " + "\n  ".join(mismatches)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("username", PERSONAS)
def test_allowed_actions_and_inbox_name_what_the_caller_may_do(
    client: TestClient, auth, read_only_cases, username: str, state: str
) -> None:
    case = read_only_cases(state)
    mine = accepted(username, state)
    mismatches = []
    if sees(username, state):
        shown = client.get(f"{API}/cases/{case['id']}", headers=auth(username)).json().get("allowed_actions", [])
        mismatches += [f"{a}: may take it, but it is missing from allowed_actions" for a in sorted(mine - set(shown))]
        mismatches += [f"{a}: listed in allowed_actions, but may not take it" for a in sorted(set(shown) - mine)]
    params: dict[str, Any] = {"actionable": True, "plan_id": case["plan_id"], "state": state, "limit": 200}
    inbox = client.get(f"{API}/cases", params=params, headers=auth(username)).json()
    if (case["id"] in [c["id"] for c in inbox.get("items", [])]) != bool(mine):
        mismatches.append(f"actionable inbox: the case should {'' if mine else 'not '}be in it (may take {sorted(mine)})")
    assert not mismatches, f"{where(username, state)}:\n  " + "\n  ".join(mismatches)


def test_a_resident_sees_a_consultation_only_while_it_runs(client: TestClient, auth) -> None:
    case = drive(client, auth, "screening")
    resident = auth("hassan.omar")
    assert client.get(f"{API}/cases/{case['id']}", headers=resident).status_code == 404
    case = post_action(client, auth, case, SECRETARY, "start_consultation", {}).json()
    assert case["state"] == "consultation"
    seen = client.get(f"{API}/cases/{case['id']}", headers=resident)
    assert seen.status_code == 200 and seen.json()["allowed_actions"] == ["respond"], seen.text
    response = post_action(client, auth, case, "hassan.omar", "respond", {"text": "Vi støtter lektiecaféen."})
    assert response.status_code == 200, response.text
    case = response.json()
    assert case["state"] == "consultation" and case["version"] == seen.json()["version"] + 1
    events = client.get(f"{API}/cases/{case['id']}/events", headers=resident).json()
    assert (events[-1]["actor"], events[-1]["action"], events[-1]["data"]) == (
        "hassan.omar", "respond", {"text": "Vi støtter lektiecaféen."},
    )  # fmt: skip
    case = post_action(client, auth, case, SECRETARY, "close_consultation", {}).json()
    assert case["state"] == "ready_for_decision"
    assert client.get(f"{API}/cases/{case['id']}", headers=resident).status_code == 404
    assert post_action(client, auth, case, "hassan.omar", "respond", {"text": "For sent"}).status_code == 404
