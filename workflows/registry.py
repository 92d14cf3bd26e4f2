"""Every case type, validated when this module is imported: a broken declaration never starts."""

from collections import deque
from importlib import import_module
from pkgutil import iter_modules

from pydantic import BaseModel, ValidationError

from workflows import case_types
from workflows.labels import unlabelled
from workflows.spec import Workflow


class WorkflowError(Exception):
    """A case type's declaration is inconsistent."""


def validate(workflow: Workflow) -> None:
    """Every state reachable, every non-final state has a way out, every action names who may take it."""
    names = [s.name for s in workflow.states]
    problems = []
    if len(set(names)) != len(names):
        problems.append("duplicate state names")
    if workflow.initial not in names:
        problems.append(f"initial state {workflow.initial!r} is not declared")
    action_names = [a.name for a in workflow.actions]
    if len(set(action_names)) != len(action_names):
        problems.append("duplicate action names")
    for action in workflow.actions:
        unknown = [s for s in (*action.source, action.dest) if s is not None and s not in names]
        if unknown:
            problems.append(f"action {action.name!r} names unknown states {unknown}")
        if not action.who:
            problems.append(f"action {action.name!r} names nobody who may take it")
        if action.dest is None and action.requires is None:
            problems.append(f"action {action.name!r} keeps the state but records no data")
    reachable, queue = {workflow.initial}, deque([workflow.initial])
    while queue:
        state = queue.popleft()
        for action in workflow.actions_from(state):
            if action.dest and action.dest not in reachable:
                reachable.add(action.dest)
                queue.append(action.dest)
    problems += [f"state {s!r} is unreachable" for s in names if s not in reachable]
    for declared in workflow.states:
        leaves = any(a.dest not in (None, declared.name) for a in workflow.actions_from(declared.name))
        if declared.final and leaves:
            problems.append(f"final state {declared.name!r} has a way out")
        if not declared.final and not leaves:
            problems.append(f"state {declared.name!r} is not final but has no way out")
    for deadline in workflow.deadlines:
        if deadline.starts_in not in deadline.during or not set(deadline.during) <= set(names):
            problems.append(f"deadline {deadline.name!r} must run during known states, starting in one of them")
        if [deadline.working_days, deadline.calendar_days, deadline.due_from_data].count(None) != 2:
            problems.append(f"deadline {deadline.name!r} needs exactly one of working_days, calendar_days, due_from_data")
    problems += _declared_properties(workflow, names)
    for listed, what in ((workflow.decided_in, "decided_in"), (workflow.budget_committed_in, "budget_committed_in")):
        problems += [f"{what} names unknown state {s!r}" for s in listed if s not in names]
    if workflow.final_report_when and workflow.final_report_when[1] not in names:
        problems.append(f"final_report_when names unknown state {workflow.final_report_when[1]!r}")
    for action in workflow.actions:
        fields = action.requires.model_fields if action.requires else {}
        if action.on_behalf and not {"organisation", "meeting_id", "document_id"} <= fields.keys():
            problems.append(f"action {action.name!r} acts for an organisation but its input names no organisation or source")
    if problems:
        raise WorkflowError(f"case type {workflow.key!r}: " + "; ".join(problems))


def _accepts(schema: type[BaseModel], data: dict[str, object]) -> bool:
    try:
        schema.model_validate(data)
    except ValidationError:
        return False
    return True


def _declared_properties(workflow: Workflow, names: list[str]) -> list[str]:
    """Labels in both languages, and the states and actions that declared properties name."""
    problems = [f"deadline {d.name!r} needs labels da and en" for d in workflow.deadlines if not (d.da and d.en)]
    schemas = {workflow.data_schema, *(a.requires for a in workflow.actions)} - {None}
    for schema in schemas:
        assert schema is not None
        problems += [f"{schema.__name__}.{field} needs labels da and en" for field in unlabelled(schema)]
    for yearly in workflow.yearly:  # what the service opens each year must be valid data of the type
        sample = {**yearly.data, "period": "2016", "due_date": "2017-06-30"}
        if workflow.data_schema is None or not _accepts(workflow.data_schema, sample):
            problems.append(f"yearly case {dict(yearly.data)} is not valid data of the case type")
    for state in (workflow.on_agenda, *workflow.local_group_sees):
        if state is not None and state not in names:
            problems.append(f"a declared property names unknown state {state!r}")
    for action in workflow.actions:
        if action.collects and (action.dest is not None or not action.on_behalf):
            problems.append(f"action {action.name!r} collects a {action.collects} but changes state or is not on behalf")
        if action.postpones and workflow.on_agenda not in action.source:
            problems.append(f"action {action.name!r} postpones but does not start on the agenda")
    return problems


def discover() -> dict[str, Workflow]:
    """Import every module in workflows/case_types and validate its WORKFLOW."""
    found: dict[str, Workflow] = {}
    for module in iter_modules(case_types.__path__):
        workflow: Workflow = import_module(f"{case_types.__name__}.{module.name}").WORKFLOW
        if workflow.key != module.name:
            raise WorkflowError(f"module {module.name!r} declares case type {workflow.key!r}; they must match")
        validate(workflow)
        found[workflow.key] = workflow
    return found


WORKFLOWS: dict[str, Workflow] = discover()
