"""Random actions by random actors on a change request never break its history.

After every step, accepted or refused: the stored state is the replay of the history (events chain from
`open` to the stored state), `version` counts the events, and only accepted actions add one.
"""

from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from service.errors import ServiceError
from tests.builders import (
    SECRETARIAT,
    MeetingOf,
    events,
    move,
    open_,
    step,
    trace,
)
from workflows.registry import WORKFLOWS

WORKFLOW = WORKFLOWS["change_request"]
BACKWARD = {"withdraw", "postpone", "send_back"}
ACTIONS = [a.name for a in WORKFLOW.actions]
# Who is around HP-10: the secretariat, its project leader, FSB's officer, the parties' and others' board members,
# a City member, a resident of its local group and a project leader of other plans.
POOL = ["sara.bech", "sara.norgaard", "gustav.lind", "eva.holm", "bo.iversen", "niels.ravn", "henrik.bay",
        "hassan.omar", "noah.skov"]  # fmt: skip

AREAS = st.sampled_from(["TT", "KP", "UB", "FF", "ZZ"])  # ZZ is no activity area
LINES = st.tuples(AREAS, st.integers(2015, 2021).map(str), st.sampled_from(["LBF", "KK", "HOUSING"])).map(" ".join)
MOVES = st.lists(st.builds(move, st.one_of(st.none(), LINES), LINES, st.integers(1, 1_500_000)), min_size=0, max_size=2)
TEXT = st.fixed_dictionaries({"text": st.sampled_from(["Enig", "Vi har spørgsmål til budgettet"])})
SCREENING = st.fixed_dictionaries({}, optional={"material": st.booleans(), "lbf_approval_needed": st.booleans()})
DATA: dict[str, Any] = {
    "edit": st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(["content", "economic", "content_and_economic"]),
            "change_description": st.sampled_from(["", "Ny aktivitet", "Ny aktivitet", "Ny aktivitet"]),
            "budget_moves": MOVES,
            "changes_total": st.booleans(),
        },
    ),
    "start_consultation": SCREENING,
    "mark_ready": SCREENING,
    "respond": TEXT,
    "give_statement": TEXT,
    "answer_lbf_query": TEXT,
    "schedule": st.sampled_from([{"written_procedure": True}, {"meeting_id": MeetingOf("BB-D5")}, {}]),
    "vote": st.fixed_dictionaries(
        {
            "organisation": st.sampled_from(["FSB", "AAB", "FSB", "AAB", "SAB", "KK"]),
            "vote": st.sampled_from(["approve", "approve", "approve", "reject", "abstain"]),
        }
    ),
    "record_lbf_approval": st.just({}),
    "record_lbf_rejection": st.just({}),
    "record_lbf_query": st.just({}),
}


def replay_holds(session: Session, case_id: int, accepted: int) -> None:
    """The case row is what its history says it is."""
    now = trace(session, case_id)
    history = events(session, case_id)
    assert history[0].action == "open" and history[0].from_state is None
    for before, after in pairwise(history):
        assert after.from_state == before.to_state, f"event {after.seq} ({after.action}) does not chain"
    assert now.state == history[-1].to_state
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    assert now.version == len(history) == 1 + accepted
    running = {d.name for d in WORKFLOW.deadlines if now.state in d.during}
    assert {name for name, status in now.deadlines if status == "open"} <= running


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_random_actions_keep_state_version_and_history_in_step(session: Session, data: st.DataObject) -> None:
    opening = {
        "kind": "economic",
        "change_description": "Flyt",
        "budget_moves": [move("UB 2017 LBF", "UB 2016 LBF", 150_000)],
    }
    case = open_(session, "change_request", by="sara.norgaard", data=opening)
    assert case.id is not None
    accepted = 0
    for _ in range(data.draw(st.integers(10, 40), label="steps")):
        # mostly a way forward from here, sometimes anything (going back is rare, or walks would never get far)
        forward = [a.name for a in WORKFLOW.actions_from(case.state) if a.name not in BACKWARD]
        anything = not forward or data.draw(st.integers(0, 9), label="explore") == 0
        action = data.draw(st.sampled_from(ACTIONS if anything else forward), label="action")
        who = data.draw(st.one_of(st.just(SECRETARIAT), st.sampled_from(POOL)), label="actor")
        payload = data.draw(DATA.get(action, st.none()), label="data")
        before = trace(session, case.id)
        try:
            case = step(session, case, who, action, payload)
            accepted += 1
        except ServiceError as refused:
            assert refused.status in (403, 409, 422), refused.detail
            assert trace(session, case.id) == before, "a refused action must leave no trace"
        replay_holds(session, case.id, accepted)
    event(f"ended in {case.state}")  # shown by --hypothesis-show-statistics: how far the walks get
