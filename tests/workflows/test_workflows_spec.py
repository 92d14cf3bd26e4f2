"""Every registered case type validates, renders and documents itself; broken declarations never load."""

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from workflows import calendar
from workflows.docs import END, START, mermaid, section
from workflows.guards import tally
from workflows.machine import machine
from workflows.registry import WORKFLOWS, WorkflowError, validate
from workflows.spec import Action, Deadline, DeadlineKind, Role, State, Wait, Workflow

README = Path(__file__).parents[2] / "README.md"


def test_the_five_case_types_are_registered() -> None:
    assert set(WORKFLOWS) == {
        "change_request",
        "strategic_agreement_change",
        "charter",
        "lbf_submission",
        "competence_transfer",
    }


@pytest.mark.parametrize("key", sorted(WORKFLOWS))
def test_each_case_type_validates_and_renders(key: str) -> None:
    workflow = WORKFLOWS[key]
    validate(workflow)
    built = machine(key)
    assert not [t for t in built.events if t.startswith("to_")], "auto transitions would bypass every guard"
    assert set(built.events) == {a.name for a in workflow.actions}
    diagram = mermaid(workflow)
    assert diagram.startswith("stateDiagram-v2")
    for action in workflow.actions:
        if action.dest:
            assert f"{action.source[0]} --> {action.dest} : {action.name}" in diagram
    assert all(f"{s.name} --> [*]" in diagram for s in workflow.states if s.final)


def test_the_readme_tables_and_diagrams_are_current() -> None:
    text = README.read_text()
    current = text[text.index(START) : text.index(END) + len(END)]
    assert current == section(), "run `python -m workflows.docs` to regenerate the README's case-type section"


GO = Action("go", ("a",), "b", (Role.secretariat,), "Gå", "Go")


def tiny(**changes: object) -> Workflow:
    base = Workflow(
        key="tiny",
        da="Lille",
        en="Tiny",
        subject="plan",
        initial="a",
        states=(State("a", "A", "A"), State("b", "B", "B", Wait.done, final=True)),
        actions=(Action("go", ("a",), "b", (Role.secretariat,), "Gå", "Go"),),
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"actions": (Action("go", ("a",), "b", (), "Gå", "Go"),)}, "names nobody who may take it"),
        (
            {"states": (State("a", "A", "A"), State("b", "B", "B", final=True), State("c", "C", "C", final=True))},
            "state 'c' is unreachable",
        ),
        ({"states": (State("a", "A", "A"), State("b", "B", "B"))}, "state 'b' is not final but has no way out"),
        ({"actions": (Action("go", ("a",), "x", (Role.secretariat,), "Gå", "Go"),)}, "unknown states ['x']"),
        (
            {"actions": (GO, Action("back", ("b",), "a", (Role.secretariat,), "Tilbage", "Back"))},
            "final state 'b' has a way out",
        ),
        (
            {"actions": (GO, Action("note", ("a",), None, (Role.secretariat,), "Notér", "Note"))},
            "keeps the state but records no data",
        ),
        ({"deadlines": (Deadline("d", "a", ("a",), DeadlineKind.service_target),)}, "needs exactly one of"),
        ({"initial": "z"}, "initial state 'z' is not declared"),
    ],
)
def test_broken_declarations_are_refused(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(WorkflowError, match="case type 'tiny'") as error:
        validate(tiny(**changes))
    assert problem in str(error.value)


@pytest.mark.parametrize(
    ("votes", "rule", "outcome"),
    [
        ({"FSB": "approve"}, "unanimity", "undecided"),  # quorum: AAB has not voted
        ({"FSB": "approve", "AAB": "approve"}, "unanimity", "approved"),
        ({"FSB": "approve", "AAB": "abstain"}, "unanimity", "approved"),  # abstaining blocks nothing
        ({"FSB": "abstain", "AAB": "abstain"}, "unanimity", "undecided"),
        ({"FSB": "approve", "AAB": "reject"}, "unanimity", "rejected"),
        ({"FSB": "approve", "AAB": "approve", "SAB": "reject"}, "unanimity", "approved"),  # SAB is no party
        ({"FSB": "approve", "AAB": "reject", "VIBO": "approve"}, "majority", "approved"),
        ({"FSB": "reject", "AAB": "reject", "VIBO": "approve"}, "majority", "rejected"),
    ],
)
def test_decision_rule(votes: dict[str, str], rule: str, outcome: str) -> None:
    voters = frozenset({"FSB", "AAB"} | ({"VIBO"} if rule == "majority" else set()))
    assert tally(votes, voters, rule) == outcome


def test_danish_working_days() -> None:
    assert calendar.add_working_days(date(2026, 12, 22), 10) == date(2027, 1, 11)
    assert not calendar.is_working_day(date(2026, 6, 5))  # Grundlovsdag
    assert not calendar.is_working_day(date(2026, 4, 3))  # Langfredag
    assert calendar.is_working_day(date(2026, 5, 1))  # 1 May is a working day by default
    assert calendar.add_calendar_days(date(2026, 11, 26), 30) == date(2026, 12, 28)  # 26 Dec is closed, 27 a Sunday


def test_the_workflow_api_describes_each_case_type(client: TestClient, auth) -> None:
    listed = client.get("/api/v1/workflows", headers=auth("eva.holm")).json()
    assert {w["key"] for w in listed} == set(WORKFLOWS)
    change = client.get("/api/v1/workflows/change_request", headers=auth("eva.holm")).json()
    vote = next(a for a in change["actions"] if a["name"] == "vote")
    assert vote["who"] == ["deciding_party_member", "secretariat"] and vote["dest"] is None
    assert vote["data_schema"]["properties"]["vote"]["enum"] == ["approve", "reject", "abstain"]
    assert {d["name"] for d in change["deadlines"]} == {"screening", "consultation", "written_procedure", "lbf_reply"}
    diagram = client.get("/api/v1/workflows/charter/diagram", headers=auth("eva.holm"))
    assert diagram.headers["content-type"].startswith("text/plain")
    assert "central_approved --> sent_to_lbf : send_to_lbf" in diagram.text
    missing = client.get("/api/v1/workflows/nope", headers=auth("eva.holm"))
    assert missing.status_code == 404 and "change_request" in missing.json()["detail"]


def test_the_diagram_as_svg_and_a_clear_406_without_graphviz(client: TestClient, auth, monkeypatch) -> None:
    svg = client.get("/api/v1/workflows/change_request/diagram", headers=auth("eva.holm") | {"Accept": "image/svg+xml"})
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in svg.content and b"Under screening" in svg.content
    monkeypatch.setattr("shutil.which", lambda _name: None)
    refused = client.get("/api/v1/workflows/charter/diagram", headers=auth("eva.holm") | {"Accept": "image/svg+xml"})
    assert refused.status_code == 406 and "Graphviz" in refused.json()["detail"]
