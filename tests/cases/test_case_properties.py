"""Random actions by random actors on cases of every type: what is offered is exactly what is accepted.

For each of the five case types a case is opened and walked by actors around it. At every step, before the
action is taken, `allowed_actions` says whether it is offered to that actor; the action is then sent with the data
the case page's form would send (for a vote or consent, an organisation the form offers, with a source where the
secretariat records it). The action must be accepted exactly when it was offered. Now and then a step sends
arbitrary data instead; then an accepted action must still have been offered.

After every step, accepted or refused: the stored state is the replay of the history (events chain from `open`
to the stored state), `version` counts the events, only accepted actions add one, and open deadlines belong to
the state.
"""

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.cases import allowed_actions
from service.errors import ServiceError
from service.persistence.case_tables import Case
from service.persistence.tables import Meeting
from tests.builders import (
    NOW,
    SECRETARIAT,
    actor,
    attach,
    events,
    move,
    open_,
    rolled_back,
    step,
    trace,
)
from workflows.registry import WORKFLOWS

REGISTERED = tuple(WORKFLOWS)  # at import: a test that registers a case type of its own adds it later
BACKWARD = {"withdraw", "postpone", "send_back", "refuse", "record_lbf_rejection"}


@dataclass(frozen=True)
class Walk:
    """How a case of one type is opened, and who is around it."""

    by: str
    data: dict[str, Any]
    pool: tuple[str, ...]
    plan: str | None = "HP-10"
    board: str | None = None


# Around HP-10 (parties FSB and AAB, BB-D5): the secretariat, its project leader, FSB's and AAB's officers, the
# parties' and others' BB-D5 members, a City member, a resident of its local group, an FSB employee with no
# designation, a project leader of other plans and the central board's chair (FSB).
AROUND_HP10 = (
    "camilla.juhl",
    "sara.norgaard",
    "gustav.lind",
    "ella.kvist",
    "eva.holm",
    "bo.iversen",
    "niels.ravn",
    "henrik.bay",
    "hassan.omar",
    "emil.bruun",
    "noah.skov",
    "karen.lindholt",
)
WALKS = {
    "change_request": Walk(
        "sara.norgaard",
        {"kind": "economic", "change_description": "Flyt", "budget_moves": [move("UB 2017 LBF", "UB 2016 LBF", 5_000)]},
        AROUND_HP10,
    ),
    "strategic_agreement_change": Walk(
        "sara.norgaard", {"change_description": "Ny delaftale"}, (*AROUND_HP10, "carl.friis")
    ),
    "charter": Walk(
        SECRETARIAT,
        {"decision_rule": "majority"},
        ("camilla.juhl", "karen.lindholt", "mads.overgaard", "eva.holm", "jonas.kjaersgaard"),
        None,
        "BB-D5",
    ),
    "lbf_submission": Walk(
        SECRETARIAT, {"report": "status_report", "period": "2016", "due_date": "2016-06-30"}, AROUND_HP10
    ),
    "competence_transfer": Walk("gustav.lind", {"direction": "to_central"}, AROUND_HP10),
}

TEXT = st.fixed_dictionaries({"text": st.sampled_from(["Enig", "Vi har spørgsmål til budgettet"])})
# Feasible lines of HP-10 (grant 2016–2020; small amounts, so every line holds them)
LINES = st.tuples(st.sampled_from(["TT", "KP", "UB", "FF"]), st.integers(2016, 2020).map(str), st.just("LBF")).map(" ".join)
MOVES = st.lists(st.builds(move, st.one_of(st.none(), LINES), LINES, st.integers(1, 5_000)), max_size=2)
FORM: dict[tuple[str, str], Any] = {  # (case type, action) -> what its form sends; the schema names the fields
    ("change_request", "edit"): st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(["content", "economic", "content_and_economic"]),
            "change_description": st.sampled_from(["", "Ny aktivitet", "Ny aktivitet"]),
            "budget_moves": MOVES,
            "changes_total": st.booleans(),
        },
    ),
    ("charter", "edit"): st.fixed_dictionaries(
        {}, optional={"decision_rule": st.sampled_from(["unanimity", "majority"]), "summary": st.just("Ny tekst")}
    ),
}
SCREENING = st.fixed_dictionaries({}, optional={"material": st.booleans(), "lbf_approval_needed": st.just(True)})
BY_SCHEMA: dict[str, Any] = {"Statement": TEXT, "LbfReply": st.just({}), "Screening": SCREENING}
# Data no form would send: other organisations, no source, a waived LBF step, unknown areas, no meeting.
WILD = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "organisation": st.sampled_from(["FSB", "AAB", "SAB", "KK"]),
            "vote": st.sampled_from(["approve", "reject", "abstain"]),
        }
    ),
    st.fixed_dictionaries({"lbf_approval_needed": st.just(False), "material": st.booleans()}),
    st.just({"budget_moves": [move("ZZ 2017 LBF", "UB 2016 LBF", 1)]}),
    st.just({"budget_moves": [move("UB 2017 LBF", "UB 2016 LBF", 90_000_000)]}),
    st.just({}),
    TEXT,
)


def form_data(data: st.DataObject, session: Session, case: Case, action: str, verdict: Any) -> dict[str, Any] | None:
    """What the case page's form for the action would send, for this actor."""
    spec = WORKFLOWS[case.case_type].action(action)
    if spec is None or spec.requires is None:
        return None
    if spec.on_behalf:
        facts = verdict.facts if verdict is not None else None
        offered = sorted(facts.acting_for & facts.voters) if facts is not None else []
        org = data.draw(st.sampled_from(offered or ["FSB"]), label="organisation")
        sent: dict[str, Any] = {"organisation": org}
        if "vote" in spec.requires.model_fields:
            sent["vote"] = data.draw(st.sampled_from(["approve", "approve", "approve", "reject", "abstain"]), label="vote")
        if facts is not None and org in facts.recorded_for:  # the secretariat names the letter it received
            sent["document_id"] = attach(session, case)
        return sent
    if spec.requires.__name__ == "Schedule":
        meeting = session.exec(
            select(Meeting.id)
            .where(Meeting.board_id == case.deciding_board_id, col(Meeting.starts_at) > NOW)
            .order_by(col(Meeting.starts_at))
        ).first()
        return data.draw(st.sampled_from([{"written_procedure": True}, {"meeting_id": meeting}]), label="schedule")
    strategy = FORM[(case.case_type, action)] if (case.case_type, action) in FORM else BY_SCHEMA[spec.requires.__name__]
    return data.draw(strategy, label="data")


def replay_holds(session: Session, case_id: int, accepted: int, deadlines: tuple[Any, ...]) -> None:
    """The case row is what its history says it is."""
    now = trace(session, case_id)
    history = events(session, case_id)
    assert history[0].action == "open" and history[0].from_state is None
    for before, after in pairwise(history):
        assert after.from_state == before.to_state, f"event {after.seq} ({after.action}) does not chain"
    assert now.state == history[-1].to_state
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    assert now.version == len(history) == 1 + accepted
    running = {d.name for d in deadlines if now.state in d.during}
    assert {name for name, status in now.deadlines if status == "open"} <= running


def walk(session: Session, data: st.DataObject, case_type: str) -> None:
    plan = WALKS[case_type]
    workflow = WORKFLOWS[case_type]
    case = open_(session, case_type, by=plan.by, plan=plan.plan, board=plan.board, data=plan.data)
    assert case.id is not None
    accepted = 0
    for _ in range(data.draw(st.integers(8, 30), label="steps")):
        who = data.draw(st.one_of(st.just(SECRETARIAT), st.sampled_from(plan.pool)), label="actor")
        verdicts = {a.action.name: a for a in allowed_actions(session, case=case, actor=actor(session, who))}
        offered = {name for name, verdict in verdicts.items() if verdict.allowed}
        forward = sorted(offered - BACKWARD)  # mostly a way forward (going back is rare, or walks would not get far)
        anything = not forward or data.draw(st.integers(0, 5), label="explore") == 0
        action = data.draw(st.sampled_from([a.name for a in workflow.actions] if anything else forward), label="action")
        wild = data.draw(st.integers(0, 7), label="wild") == 0
        verdict = verdicts.get(action)
        payload = data.draw(WILD, label="wild data") if wild else form_data(data, session, case, action, verdict)
        before = trace(session, case.id)
        try:
            case = step(session, case, who, action, payload)
        except ServiceError as refused:
            assert refused.status in (403, 404, 409, 422), refused.detail
            assert trace(session, case.id) == before, "a refused action must leave no trace"
            assert wild or action not in offered, (
                f"{who} was offered {action!r} in {before.state!r} but was refused ({refused.status}) "
                f"with the form's data {payload}: {refused.detail}"
            )
        else:
            accepted += 1
            assert action in offered, f"{who} took {action!r} in {before.state!r}, which was not offered"
        replay_holds(session, case.id, accepted, workflow.deadlines)
    event(f"{case_type} ended in {case.state}")  # shown by --hypothesis-show-statistics: how far the walks get


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_an_action_is_accepted_exactly_when_it_is_offered(engine: Engine, data: st.DataObject) -> None:
    case_type = data.draw(st.sampled_from(sorted(WALKS)), label="case type")
    with rolled_back(engine) as session:
        walk(session, data, case_type)


def test_every_case_type_of_the_registry_is_walked() -> None:
    assert set(WALKS) == set(REGISTERED)
