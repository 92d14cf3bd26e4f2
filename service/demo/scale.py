"""`seed-demo --scale N`: N more cases for benchmarks, written in bulk as the engine would have written them.

Playing 100,000 cases (about a million actions) through `apply_action` one transaction at a time would take
hours here, so this writes the same rows in batches instead: each case follows a course through its declared
workflow (`simulate.course`: declared transitions only, with the engine's timing rules), and gets the `cases`
row, one `case_events` row per step, its `case_state_intervals` (from the same `interval_rows` the rebuild uses)
and the deadlines open in its current state (`deadlines.due_date`). Guards, effects and notifications are not
run: the generated cases are change requests with content changes, reports to LBF, agreement changes and charters,
whose courses move no money and notify nobody.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from service.cases.deadlines import due_date
from service.demo import bulk
from service.demo.simulate import Step, course, local_day, office_time
from service.persistence.case_tables import CASE_DEADLINES, CASE_EVENTS, CASES
from service.persistence.stats_tables import INTERVALS
from service.persistence.tables import Board, BoardKind, Meeting, Organisation, Plan, User
from service.stats import buckets, slips
from service.stats.intervals import epoch, interval_rows
from workflows import calendar
from workflows.registry import WORKFLOWS

BOARDS, PLANS, USERS = Board.__table__, Plan.__table__, User.__table__  # type: ignore[attr-defined]
ORGS, MEETINGS = Organisation.__table__, Meeting.__table__  # type: ignore[attr-defined]
GENERATED = "Genereret (seed-demo --scale)"
TYPES = {"change_request": 0.72, "lbf_submission": 0.18, "strategic_agreement_change": 0.07, "charter": 0.03}
DATA: dict[str, dict[str, Any]] = {
    "change_request": {"kind": "content", "change_description": "Justering af en aktivitet"},
    "lbf_submission": {"report": "status_report", "period": "2016", "due_date": "2016-08-31"},
    "strategic_agreement_change": {"change_description": "Ny delaftale om en indsats"},
    "charter": {"decision_rule": "unanimity", "summary": "Kommissorium"},
}


@dataclass(frozen=True)
class World:
    """The register facts the generator needs, read once."""

    plans: list[tuple[int, int, date, date, int]]  # id, district, period start, period end, deciding board
    district_boards: list[tuple[int, int]]  # id, district
    central: int
    secretariat: list[int]  # user ids
    meetings: dict[int, list[datetime]]  # per board, synthetic quarterly meetings 2015–2019


def quarterly(board_id: int, years: range) -> list[datetime]:
    """Four meetings a year per board (March, June, September, late November), staggered by board."""
    days = [date(y, m, 8 + board_id % 9) for y in years for m in (3, 6, 9, 11)]
    return [datetime.combine(calendar.next_working_day(d), time(14), calendar.LOCAL).astimezone(UTC) for d in days]


def world(connection: Connection) -> World:
    boards = connection.execute(select(BOARDS.c.id, BOARDS.c.kind, BOARDS.c.district_id)).all()
    district = {d: b for b, kind, d in boards if kind == BoardKind.district.value}
    central = next(b for b, kind, _ in boards if kind == BoardKind.central.value)
    plans = [
        (
            p.id,
            p.district_id,
            p.period_start,
            p.period_end,
            central if p.competence == "central" else district[p.district_id],
        )
        for p in connection.execute(select(PLANS))
    ]
    staff = (
        connection.execute(select(USERS.c.id).join(ORGS, ORGS.c.id == USERS.c.organisation_id).where(ORGS.c.code == "SEK"))
        .scalars()
        .all()
    )
    meetings = {b: quarterly(b, range(2015, 2020)) for b, _, _ in boards}
    return World(plans, sorted((b, d) for d, b in district.items()), central, list(staff), meetings)


def pick_case(world: World, rng: random.Random, start: date, until: date) -> tuple[str, dict[str, Any], date] | None:
    """A case type, its subject and keys, and an opening day inside the subject's grant (None: no room)."""
    case_type = rng.choices(list(TYPES), weights=list(TYPES.values()))[0]
    if case_type == "charter":
        board, district = rng.choice(world.district_boards)
        keys = {"plan_id": None, "board_id": board, "district_id": district, "deciding_board_id": world.central}
        first, last = start, until
    else:
        plan, district, period_start, period_end, deciding = rng.choice(world.plans)
        keys = {"plan_id": plan, "board_id": None, "district_id": district, "deciding_board_id": deciding}
        first, last = max(start, period_start), min(until, period_end)
    if first >= last:
        return None
    return case_type, keys, first + timedelta(days=rng.randrange((last - first).days))


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
) -> tuple[dict[str, Any], Rows]:
    """The `cases` row and its events (ids given) for a course."""
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
            data=DATA[case_type],
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
        data=DATA[case_type],
        created_by_id=actor,
    )
    return case, events


def deadline_rows(case_type: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The deadlines open in the case's current state, as `deadlines.open_deadlines` would have written them."""
    workflow, last = WORKFLOWS[case_type], events[-1]
    rows = []
    for deadline in workflow.deadlines:
        if deadline.starts_in != last["to_state"] or last["to_state"] in workflow.final_states:
            continue
        start = local_day(last["at"])
        due, rule = due_date(deadline, start, DATA[case_type])
        days = deadline.escalate_after_days
        rows.append(
            dict(
                case_id=last["case_id"],
                name=deadline.name,
                kind=deadline.kind.value,
                status="open",
                due_on=due,
                escalate_on=calendar.add_calendar_days(start, days) if days else None,
                rule=rule,
                opened_event_id=last["id"],
            )
        )
    return rows


def meeting_ids(connection: Connection, world: World) -> Meetings:
    """The generated quarterly meetings as rows (made once), by start time; agendas name them."""
    query = select(MEETINGS.c.id, MEETINGS.c.board_id, MEETINGS.c.starts_at).where(MEETINGS.c.location == GENERATED)
    known = {(b, aware(m)): i for i, b, m in connection.execute(query)}
    missing = [
        dict(board_id=b, starts_at=m, location=GENERATED)
        for b, ms in world.meetings.items()
        for m in ms
        if (b, m) not in known
    ]
    if missing:
        connection.execute(insert(MEETINGS), missing)
        return meeting_ids(connection, world)
    return known


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def next_ids(connection: Connection) -> tuple[int, int]:
    cases = connection.execute(select(func.coalesce(func.max(CASES.c.id), 0))).scalar_one()
    events = connection.execute(select(func.coalesce(func.max(CASE_EVENTS.c.id), 0))).scalar_one()
    return int(cases) + 1, int(events) + 1


def write_batch(
    connection: Connection,
    cases: list[dict[str, Any]],
    events: list[dict[str, Any]],
    intervals: list[dict[str, Any]],
    deadlines: list[dict[str, Any]],
    resolved: list[dict[str, Any]],
) -> None:
    for table, rows in ((CASES, cases), (CASE_EVENTS, events), (INTERVALS, intervals), (CASE_DEADLINES, deadlines)):
        bulk.write(connection, table, rows)
    finished = [
        (i["case_type"], i["state"], i["wait"], i["district_id"], i["left_to"], i["seconds"])
        for i in intervals
        if i["seconds"] is not None
    ]
    buckets.add(connection, finished)
    slips.add(connection, [(r["case_type"], r["district_id"], r["days"]) for r in resolved])


def one_case(
    facts: World, meetings: Meetings, rng: random.Random, ids: tuple[int, int], start: date, until: datetime
) -> tuple[Rows, Rows, Rows, Rows, Rows] | None:
    """A generated case's rows for `cases`, `case_events`, `case_state_intervals`, `case_deadlines`, and the
    forecasts its course resolved (for `forecast_slips`)."""
    picked = pick_case(facts, rng, start, local_day(until) - timedelta(days=1))
    if picked is None:
        return None
    case_type, keys, day = picked
    opened = office_time(day, rng)
    steps = course(WORKFLOWS[case_type], opened, facts.meetings[keys["deciding_board_id"]], until, rng)
    case, events = case_rows(*ids, case_type, keys, opened, steps, rng.choice(facts.secretariat), meetings)
    interval_keys = {k: v for k, v in keys.items() if k != "board_id"} | {"case_id": ids[0], "case_type": case_type}
    stays = interval_rows(interval_keys, [(e["from_state"], e["to_state"], epoch(e["at"])) for e in events])
    history = [(None, WORKFLOWS[case_type].initial, None)] + [
        (s.from_state, s.to_state, local_day(s.meeting) if s.meeting else None) for s in steps
    ]
    forecasts = [dict(case_type=case_type, district_id=keys["district_id"], days=d) for d in slips.slips(case_type, history)]
    return [case], events, stays, deadline_rows(case_type, events), forecasts


def generate(
    session: Session, count: int, *, until: datetime, start: date = date(2015, 1, 1), seed: int = 12, batch: int = 2000
) -> str:
    """Add `count` cases opened from `start`, their courses cut at `until`; commits per batch."""
    rng = random.Random(seed)
    facts = world(session.connection())
    meetings = meeting_ids(session.connection(), facts)
    case_id, event_id = next_ids(session.connection())
    first_event, made = event_id, 0
    pending: tuple[Rows, ...] = ([], [], [], [], [])
    while made < count:
        rows = one_case(facts, meetings, rng, (case_id, event_id), start, until)
        if rows is None:
            continue
        for into, new in zip(pending, rows, strict=True):
            into.extend(new)
        case_id, event_id, made = case_id + 1, event_id + len(rows[1]), made + 1
        if made % batch == 0 or made == count:
            write_batch(session.connection(), *pending)
            session.commit()
            pending = ([], [], [], [], [])
    fix_sequences(session)
    return f"Generated {count} cases with {event_id - first_event} history events, written in bulk (service/demo/scale.py)."


def fix_sequences(session: Session) -> None:
    """PostgreSQL's id sequences past the ids written here (SQLite needs nothing)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        for table in ("cases", "case_events"):
            last = f"(SELECT max(id) FROM {table})"
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})"))
    session.commit()
