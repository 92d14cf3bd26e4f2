"""`seed-demo --scale N`: N more cases for benchmarks, written in bulk as the engine would have written them.

Playing 100,000 cases (about a million actions) through `apply_action` one transaction at a time would take
hours here, so this writes the same rows in batches instead: each case follows a course through its declared
workflow (`simulate.course`: declared transitions only, with the engine's timing rules), and gets the `cases`
row, one `case_events` row per step, its `case_state_intervals` (from the same `interval_rows` the rebuild uses)
and the deadlines open in its current state (`deadlines.due_date`). Guards, effects and notifications are not
run, but the choices their guards make are: an economic change request (money moved between two budget lines the
plan can pay, `money.py`) goes to LBF exactly when the default policy asks for it and gets its `budget_changes` and
budget lines when implemented; a competence transfer (at most one per plan, generated first) moves the plan's later
cases to the central board. Cases already open when a transfer takes effect keep their board here (the engine
would move the undecided ones). Notifications are not generated.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from service.demo import money
from service.demo.scale_rows import Batch, Meetings, case_rows, deadline_rows, write_batch
from service.demo.simulate import Step, course, local_day, office_time
from service.persistence.case_tables import CASE_EVENTS, CASES
from service.persistence.tables import Board, BoardKind, Meeting, Organisation, Plan, User
from service.stats import slips
from service.stats.intervals import epoch, interval_rows
from workflows import calendar
from workflows.registry import WORKFLOWS

BOARDS, PLANS, USERS = Board.__table__, Plan.__table__, User.__table__  # type: ignore[attr-defined]
ORGS, MEETINGS = Organisation.__table__, Meeting.__table__  # type: ignore[attr-defined]
GENERATED = "Genereret (seed-demo --scale)"
# Change requests are content or economic (money moved between budget lines); competence transfers are generated
# first, at most one per plan (a plan's competence moves one way, once: `transfers`).
TYPES = {"change_request": 0.72, "lbf_submission": 0.18, "strategic_agreement_change": 0.07, "charter": 0.03}
ECONOMIC_SHARE = 0.3
DATA: dict[str, dict[str, Any]] = {
    "change_request": {"kind": "content", "change_description": "Justering af en aktivitet"},
    "lbf_submission": {"report": "status_report", "period": "2016", "due_date": "2016-08-31"},
    "strategic_agreement_change": {"change_description": "Ny delaftale om en indsats"},
    "charter": {"decision_rule": "unanimity", "summary": "Kommissorium"},
    "competence_transfer": {"direction": "to_central"},
}
Picked = tuple[str, dict[str, Any], date, dict[str, Any]]  # case type, keys, opening day, data


@dataclass
class World:
    """The register facts the generator needs, read once, and what the generated cases changed in it."""

    plans: list[tuple[int, int, date, date, int]]  # id, district, period start, period end, deciding board
    district_boards: list[tuple[int, int]]  # id, district
    central: int
    secretariat: list[int]  # user ids
    meetings: dict[int, list[datetime]]  # per board, synthetic quarterly meetings 2015–2019
    book: money.Ledger  # the plans' budget lines
    moved: dict[int, datetime] = field(default_factory=dict)  # plan → when a transfer moved it to the central board


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
    board_list = sorted((b, d) for d, b in district.items())
    return World(plans, board_list, central, list(staff), meetings, money.ledger(connection))


def pick_case(world: World, rng: random.Random, start: date, until: date) -> Picked | None:
    """A case type, its subject and keys, an opening day inside the subject's grant, and its data (None: no room)."""
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
    day = first + timedelta(days=rng.randrange((last - first).days))
    moved = world.moved.get(keys["plan_id"] or 0)
    if moved is not None and day >= local_day(moved):  # opened after the plan's transfer: the central board decides
        keys["deciding_board_id"] = world.central
    data = DATA[case_type]
    if case_type == "change_request" and rng.random() < ECONOMIC_SHARE:
        data = money.economic(world.book, keys["plan_id"] or 0, rng) or data
    return case_type, keys, day, data


def transfers(world: World, rng: random.Random, start: date, until: date) -> list[Picked]:
    """A competence transfer for about half the plans a district board decides, opened while the grant runs."""
    picked: list[Picked] = []
    for plan, district, period_start, period_end, deciding in world.plans:
        first, last = max(start, period_start), min(until, period_end)
        if deciding == world.central or first >= last or rng.random() < 0.5:
            continue
        keys = {"plan_id": plan, "board_id": None, "district_id": district, "deciding_board_id": world.central}
        picked.append(
            (
                "competence_transfer",
                keys,
                first + timedelta(days=rng.randrange((last - first).days)),
                DATA["competence_transfer"],
            )
        )
    return picked


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


def data_after(case_type: str, data: dict[str, Any], steps: list[Step]) -> dict[str, Any]:
    """The case's data after its course: screening notes whether LBF must approve, LBF's approval its day."""
    if case_type != "change_request":
        return data
    if any(s.action in ("mark_ready", "start_consultation") for s in steps):
        data = money.screened(data)
    approved = next((s for s in steps if s.to_state == "lbf_approved"), None)
    return data | {"lbf_approved_on": local_day(approved.at).isoformat()} if approved else data


def one_case(
    facts: World, meetings: Meetings, rng: random.Random, ids: tuple[int, int], picked: Picked, until: datetime
) -> Batch:
    """A generated case's rows: `cases`, `case_events`, `case_state_intervals`, `case_deadlines`, the forecasts its
    course resolved (`forecast_slips`) and, for an implemented economic change, `budget_changes`."""
    case_type, keys, day, data = picked
    workflow, opened = WORKFLOWS[case_type], office_time(day, rng)
    narrow = money.allowed(data) if case_type == "change_request" else None
    steps = course(workflow, opened, facts.meetings[keys["deciding_board_id"]], until, rng, narrow)
    final = data_after(case_type, data, steps)
    case, events = case_rows(*ids, case_type, keys, opened, steps, rng.choice(facts.secretariat), meetings, data, final)
    interval_keys = {k: v for k, v in keys.items() if k != "board_id"} | {"case_id": ids[0], "case_type": case_type}
    stays = interval_rows(interval_keys, [(e["from_state"], e["to_state"], epoch(e["at"])) for e in events])
    history = [(None, workflow.initial, None)] + [
        (s.from_state, s.to_state, local_day(s.meeting) if s.meeting else None) for s in steps
    ]
    resolved = [dict(case_type=case_type, district_id=keys["district_id"], days=d) for d in slips.slips(case_type, history)]
    batch = Batch([case], events, stays, deadline_rows(case_type, events, final), resolved)
    if data.get("budget_moves"):  # implemented: the money moves; ended otherwise: the promise is released
        done = next((e["id"] for e in events if e["action"] == "implement"), None)
        if done is not None or not case["is_open"]:
            batch.budget = money.settle(facts.book, plan=keys["plan_id"], case_id=ids[0], event_id=done, data=data)
    if case_type == "competence_transfer" and case["state"] == "effective":
        facts.moved[keys["plan_id"]] = steps[-1].at
    return batch


def generate(
    session: Session, count: int, *, until: datetime, start: date = date(2015, 1, 1), seed: int = 12, batch: int = 2000
) -> str:
    """Add `count` cases opened from `start`, their courses cut at `until`; commits per batch."""
    rng = random.Random(seed)
    facts = world(session.connection())
    meetings = meeting_ids(session.connection(), facts)
    case_id, event_id = next_ids(session.connection())
    first_event, made, pending = event_id, 0, Batch()
    last_day = local_day(until) - timedelta(days=1)
    planned = transfers(facts, rng, start, last_day) if count >= 100 else []
    while made < count:
        picked = planned.pop(0) if planned else pick_case(facts, rng, start, last_day)
        if picked is None:
            continue
        rows = one_case(facts, meetings, rng, (case_id, event_id), picked, until)
        pending.extend(rows)
        case_id, event_id, made = case_id + 1, event_id + len(rows.events), made + 1
        if made % batch == 0 or made == count:
            write_batch(session.connection(), pending)
            money.write_lines(session.connection(), facts.book)
            session.commit()
            pending = Batch()
    finish(session, facts)
    return f"Generated {count} cases with {event_id - first_event} history events, written in bulk (service/demo/scale.py)."


def finish(session: Session, facts: World) -> None:
    """The plans whose competence moved, and PostgreSQL's id sequences past the ids written here."""
    connection = session.connection()
    if facts.moved:
        connection.execute(update(PLANS).where(PLANS.c.id.in_(list(facts.moved))).values(competence="central"))
    if connection.dialect.name == "postgresql":
        for table in ("cases", "case_events"):
            last = f"(SELECT max(id) FROM {table})"
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})"))
    session.commit()
