"""The case types as data: states, actions with who may take them, deadlines, and the diagram."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from service.deps import CurrentUser
from service.diagrams import render_svg
from service.errors import NotFound
from workflows.docs import dot, mermaid
from workflows.registry import WORKFLOWS
from workflows.spec import Workflow

router = APIRouter(tags=["workflows"], responses={401: {"description": "Not logged in"}})
CaseType = Annotated[str, Path(max_length=50, description="A case type key, e.g. change_request")]


class StatePublic(BaseModel):
    name: str
    da: str
    en: str
    waits_for: str
    final: bool


class ActionPublic(BaseModel):
    name: str
    da: str
    en: str
    source: list[str]
    dest: str | None
    who: list[str]
    guards: list[dict[str, str]]
    notifies: list[str]
    data_schema: dict[str, Any] | None


class DeadlinePublic(BaseModel):
    name: str
    kind: str
    starts_in: str
    during: list[str]
    working_days: int | None
    calendar_days: int | None
    due_from_data: str | None
    escalate_after_days: int | None
    remind_before: list[int]  # reminder rungs, calendar days before the due date (0: on the day)
    when: str | None  # opens only when the entering action's input sets this flag


class WorkflowSummary(BaseModel):
    key: str
    da: str
    en: str
    subject: str
    initial: str


class WorkflowPublic(WorkflowSummary):
    creators: list[str]
    data_schema: dict[str, Any] | None
    states: list[StatePublic]
    actions: list[ActionPublic]
    deadlines: list[DeadlinePublic]


def _lookup(case_type: str) -> Workflow:
    if case_type not in WORKFLOWS:
        raise NotFound(f"There is no case type {case_type!r}; the case types are {', '.join(sorted(WORKFLOWS))}.")
    return WORKFLOWS[case_type]


def _summary(w: Workflow) -> dict[str, Any]:
    return {"key": w.key, "da": w.da, "en": w.en, "subject": w.subject, "initial": w.initial}


@router.get("/workflows", response_model=list[WorkflowSummary])
def list_workflows(_user: CurrentUser) -> list[WorkflowSummary]:
    """Every case type."""
    return [WorkflowSummary(**_summary(w)) for w in WORKFLOWS.values()]


@router.get("/workflows/{case_type}", response_model=WorkflowPublic, responses={404: {"description": "No such case type"}})
def get_workflow(case_type: CaseType, _user: CurrentUser) -> WorkflowPublic:
    """One case type: its states, its actions with who may take them and their guards, and its deadlines."""
    w = _lookup(case_type)
    return WorkflowPublic(
        **_summary(w),
        creators=[r.value for r in w.creators],
        data_schema=w.data_schema.model_json_schema() if w.data_schema else None,
        states=[StatePublic(name=s.name, da=s.da, en=s.en, waits_for=s.wait.value, final=s.final) for s in w.states],
        actions=[
            ActionPublic(
                name=a.name,
                da=a.da,
                en=a.en,
                source=list(a.source),
                dest=a.dest,
                who=[r.value for r in a.who],
                guards=[{"name": g.name, "reason": g.reason} for g in a.guards],
                notifies=list(a.notifies),
                data_schema=a.requires.model_json_schema() if a.requires else None,
            )
            for a in w.actions
        ],
        deadlines=[
            DeadlinePublic(
                name=d.name,
                kind=d.kind.value,
                starts_in=d.starts_in,
                during=list(d.during),
                working_days=d.working_days,
                calendar_days=d.calendar_days,
                due_from_data=d.due_from_data,
                escalate_after_days=d.escalate_after_days,
                remind_before=list(d.remind_before),
                when=d.when,
            )
            for d in w.deadlines
        ],
    )


@router.get(
    "/workflows/{case_type}/diagram",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {}, "image/svg+xml": {}}, "description": "Mermaid text, or SVG on request"},
        404: {"description": "No such case type"},
        406: {"description": "SVG was asked for, but Graphviz is not installed on the server"},
    },
)
def get_diagram(
    case_type: CaseType, _user: CurrentUser, accept: Annotated[str | None, Header(max_length=500)] = None
) -> Response:
    """The case type's state diagram as Mermaid text, or as SVG with `Accept: image/svg+xml` (drawn by Graphviz)."""
    workflow = _lookup(case_type)
    if accept and "image/svg+xml" in accept:
        return Response(render_svg(dot(workflow)), media_type="image/svg+xml")
    return PlainTextResponse(mermaid(workflow), media_type="text/plain; charset=utf-8")
