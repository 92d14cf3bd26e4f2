"""Which steps still lie ahead of a case, read from its case type's declaration (never from state names).

The expected path runs forward: actions that drop the case or take it off an agenda are not part of it, and it
does not start over from the type's first state (a rejection by LBF that sends a charter back to its draft is a
possible path, not the expected one). A case sent back to its drafter (every way on leads to the first state) is
expected to go the whole way again.
"""

from dataclasses import dataclass
from functools import cache

from workflows.registry import WORKFLOWS
from workflows.spec import Effect, LbfPolicy, Wait, Workflow


@dataclass(frozen=True)
class Ahead:
    """The steps a case of a type in a state has still to pass."""

    board: bool  # its deciding board decides (at a meeting or by written procedure)
    central: bool  # the central board hears of it as an information item (after the board's decision)
    lbf: bool  # LBF answers, where the type's policy (or the screening) sends it there
    at_lbf: bool  # LBF has it now
    informed: bool  # the information item is placed on the central board's agenda now


def _forward(workflow: Workflow) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for action in workflow.actions:
        if action.dest is None or action.abandons or action.postpones:
            continue
        for source in action.source:
            edges.setdefault(source, set()).add(action.dest)
    return edges


def informs(workflow: Workflow) -> bool:
    """A case of the type informs the central board after its board's decision (an information item)."""
    return any(Effect.information_item in a.effects for a in workflow.actions)


def restarts(workflow: Workflow, state: str) -> bool:
    """Every way on from the state leads back to the first state (the case went back to its drafter)."""
    ways = {a.dest for a in workflow.actions_from(state) if a.dest and a.dest != state and not a.abandons}
    return ways == {workflow.initial}


def reachable(workflow: Workflow, state: str) -> frozenset[str]:
    """The state and every state the expected path can reach from it, never starting over."""
    edges, seen, todo = _forward(workflow), {state}, [state]
    while todo:
        here = todo.pop()
        if here == workflow.initial and here != state:
            continue
        for dest in edges.get(here, ()):
            if dest not in seen:
                seen.add(dest)
                todo.append(dest)
    return frozenset(seen)


@cache
def ahead(case_type: str, state: str, lbf_needed: bool) -> Ahead:
    """What lies ahead of a case of this type in this state (`lbf_needed`: the screening's answer, or the default
    rule's before screening, for types whose LBF step depends on the case)."""
    workflow = WORKFLOWS[case_type]
    if state in workflow.final_states:
        return Ahead(False, False, False, False, False)
    start = workflow.initial if restarts(workflow, state) else state
    path = reachable(workflow, start)
    informing = [a for a in workflow.actions if Effect.information_item in a.effects]
    sends_lbf = workflow.lbf == LbfPolicy.always or (workflow.lbf == LbfPolicy.by_default_rule and lbf_needed)
    waits_lbf = {s.name for s in workflow.states if s.wait == Wait.lbf}
    informed = any(a.dest == start for a in informing)
    return Ahead(
        board=workflow.on_agenda is not None and workflow.on_agenda in path,
        central=informed or any(set(a.source) & path for a in informing),
        lbf=sends_lbf and bool(waits_lbf & path),
        at_lbf=start in waits_lbf,
        informed=informed,
    )
