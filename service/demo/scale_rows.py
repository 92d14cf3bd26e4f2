"""The rows `seed-demo --scale` writes for a generated case, as the engine would have written them."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from service.cases.budget import BUDGET_CHANGES
from service.cases.deadlines import deadline_row
from service.demo import bulk
from service.demo.simulate import Step, local_day
from service.persistence.case_tables import CASE_DEADLINES, CASE_EVENTS, CASES
from service.persistence.stats_tables import INTERVALS
from service.stats import buckets, slips
from workflows.registry import WORKFLOWS

Meetings = dict[tuple[int, datetime], int]
Rows = list[dict[str, Any]]


def case_rows(
    case_id: int,
    event_id: int,
    case_type: str,
    keys: dict[str, Any],
    opened: datetime,
    steps: list[Step],
    actor: int,
    meeting_ids: Meetings,
    opening: dict[str, Any],
    case_data: dict[str, Any],
) -> tuple[dict[str, Any], Rows]:
    """The `cases` row (with its data after the course) and its events (ids given, the first with its opening data)."""
    workflow = WORKFLOWS[case_type]
    state = steps[-1].to_state if steps else workflow.initial
    events = [
        dict(
            id=event_id,
            case_id=case_id,
            seq=1,
            at=opened,
            actor_id=actor,
            action="open",
            from_state=None,
            to_state=workflow.initial,
            comment="",
            data=opening,
            idempotency_key=None,
        )
    ]
    for seq, step in enumerate(steps, 2):
        data = {"meeting_id": meeting_ids[(keys["deciding_board_id"], step.meeting)]} if step.meeting is not None else {}
        events.append(
            dict(
                id=event_id + seq - 1,
                case_id=case_id,
                seq=seq,
                at=step.at,
                actor_id=actor,
                action=step.action,
                from_state=step.from_state,
                to_state=step.to_state,
                comment="",
                data=data,
                idempotency_key=None,
            )
        )
    case = dict(
        id=case_id,
        reference=f"BS-{opened.year}-{case_id:04d}",
        case_type=case_type,
        state=state,
        version=len(events),
        is_open=state not in workflow.final_states,
        plan_id=keys["plan_id"],
        board_id=keys["board_id"],
        deciding_board_id=keys["deciding_board_id"],
        title=f"{workflow.da} {case_id}",
        description="",
        data=case_data,
        created_by_id=actor,
    )
    return case, events


def deadline_rows(case_type: str, events: list[dict[str, Any]], case_data: dict[str, Any]) -> list[dict[str, Any]]:
    """The deadlines open in the case's current state, as `deadlines.open_deadlines` would have written them."""
    workflow, last = WORKFLOWS[case_type], events[-1]
    if last["to_state"] in workflow.final_states:
        return []
    flags = last.get("data") or {}
    return [
        deadline_row(d, case_id=last["case_id"], start=local_day(last["at"]), data=case_data, event_id=last["id"])
        for d in workflow.deadlines
        if d.starts_in == last["to_state"] and (not d.when or flags.get(d.when))
    ]


@dataclass
class Batch:
    """The rows of a batch of generated cases, per table."""

    cases: Rows = field(default_factory=list)
    events: Rows = field(default_factory=list)
    intervals: Rows = field(default_factory=list)
    deadlines: Rows = field(default_factory=list)
    slips: Rows = field(default_factory=list)
    budget: Rows = field(default_factory=list)

    def extend(self, other: "Batch") -> None:
        for name, rows in other.__dict__.items():
            getattr(self, name).extend(rows)


def write_batch(connection: Connection, batch: Batch) -> None:
    """The rows, then the duration buckets and forecast slips they add to."""
    tables = ((CASES, batch.cases), (CASE_EVENTS, batch.events), (INTERVALS, batch.intervals))
    for table, rows in (*tables, (CASE_DEADLINES, batch.deadlines), (BUDGET_CHANGES, batch.budget)):
        bulk.write(connection, table, rows)
    finished = [
        (i["case_type"], i["state"], i["wait"], i["district_id"], i["left_to"], i["seconds"])
        for i in batch.intervals
        if i["seconds"] is not None
    ]
    buckets.add(connection, finished)
    slips.add(connection, [(r["case_type"], r["district_id"], r["days"]) for r in batch.slips])
