"""Small builders for case tests: demo-register look-ups, opening a case, and playing steps through the real engine."""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.authz import Actor, load_actor
from service.cases import apply_action, open_case
from service.persistence.case_tables import BudgetChange, Case, CaseDeadline, CaseDocument, CaseEvent, OutboxMessage
from service.persistence.tables import ActivityArea, Board, BudgetLine, Meeting, Membership, Organisation, Plan, Seat, User
from workflows.calendar import LOCAL

NOW = datetime(2016, 4, 4, 10, 0, tzinfo=UTC)  # a Monday morning, between BB-D5's March and June meetings
SECRETARIAT = "sara.bech"  # secretary of BB-D4 and BB-D5; any secretariat caseworker administers every case

Step = tuple[str, str, dict[str, Any] | None]  # (username, action, data)


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back at the end, like the `session` fixture, for several cases in one test
    that must not see each other (a plan has one open transfer, one open agreement change)."""
    connection = engine.connect()
    outer = connection.begin()
    try:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
    finally:
        outer.rollback()
        connection.close()


def actor(session: Session, username: str, today: date | None = None) -> Actor:
    """The actor behind a demo user, with the seats, designations and assignments valid on `today` (NOW's date)."""
    return load_actor(session, user(session, username), today or day_of(NOW))


def user(session: Session, username: str) -> User:
    return session.exec(select(User).where(User.username == username)).one()


def day_of(moment: datetime) -> date:
    """The Copenhagen date of a moment: the day the register is read on."""
    return moment.astimezone(LOCAL).date()


def plan_id(session: Session, code: str) -> int:
    found = session.exec(select(Plan.id).where(Plan.code == code)).one()
    assert found is not None
    return found


def board_id(session: Session, code: str) -> int:
    found = session.exec(select(Board.id).where(Board.code == code)).one()
    assert found is not None
    return found


def meeting_id(session: Session, board: str, after: datetime = NOW) -> int:
    """The id of the board's first meeting after `after`."""
    found = session.exec(
        select(Meeting.id)
        .where(Meeting.board_id == board_id(session, board), col(Meeting.starts_at) > after)
        .order_by(col(Meeting.starts_at))
    ).first()
    assert found is not None
    return found


def started_meeting_id(session: Session, board: str, before: datetime = NOW) -> int:
    """The id of the board's last meeting that had started by `before` (where votes can have been cast)."""
    found = session.exec(
        select(Meeting.id)
        .where(Meeting.board_id == board_id(session, board), col(Meeting.starts_at) <= before)
        .order_by(col(Meeting.starts_at).desc())
    ).first()
    assert found is not None
    return found


def seat(
    session: Session,
    username: str,
    board: str,
    org: str,
    kind: Seat = Seat.member,
    *,
    valid_from: date = date(2016, 1, 1),
    valid_to: date | None = None,
) -> Membership:
    """Give a demo user a seat on a board representing an organisation (rolled back with the test)."""
    organisation = session.exec(select(Organisation.id).where(Organisation.code == org)).one()
    row = Membership(
        user_id=user(session, username).id,
        board_id=board_id(session, board),
        organisation_id=organisation,
        seat=kind,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    session.add(row)
    session.flush()
    return row


def attach(session: Session, case: Case, by: str = "sara.bech", filename: str = "brev.pdf") -> int:
    """Attach a document (an organisation's letter) to the case; its id, for data.document_id."""
    row = CaseDocument(
        case_id=case_id(case),
        uploaded_by_id=user(session, by).id,
        at=NOW,
        filename=filename,
        content_type="application/pdf",
        size_bytes=1,
        sha256="0" * 64,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def open_(
    session: Session,
    case_type: str,
    *,
    by: str = SECRETARIAT,
    plan: str | None = "HP-10",
    board: str | None = None,
    data: dict[str, Any] | None = None,
    title: str = "Testsag",
    now: datetime = NOW,
) -> Case:
    """Open a case through the service, for a plan (by code) or a board (by code)."""
    return open_case(
        session=session,
        actor=actor(session, by, day_of(now)),
        case_type=case_type,
        title=title,
        plan_id=plan_id(session, plan) if plan else None,
        board_id=board_id(session, board) if board else None,
        data=data,
        now=now,
    )


def step(session: Session, case: Case, username: str, action: str, data: dict[str, Any] | None = None, **kw: Any) -> Case:
    """Take one action at the case's current version, on the register as it stands on that day."""
    now = kw.pop("now", NOW)
    return apply_action(
        session=session,
        actor=actor(session, username, day_of(now)),
        case_id=case_id(case),
        action=action,
        expected_version=case.version,
        data=data,
        now=now,
        **kw,
    ).case


def play(session: Session, case: Case, steps: Iterable[Step], *, now: datetime = NOW) -> Case:
    """Play steps one after another; every one must be accepted."""
    for username, action, data in steps:
        case = step(session, case, username, action, resolve(session, data, case), now=now)
    return case


@dataclass(frozen=True)
class Given:
    """How to reach a situation: who opens the case, with what data, and the steps after opening."""

    steps: tuple[Step, ...] = ()
    data: dict[str, Any] | None = None
    by: str = SECRETARIAT
    plan: str | None = "HP-10"
    board: str | None = None

    def then(self, *more: Step) -> "Given":
        return Given((*self.steps, *more), self.data, self.by, self.plan, self.board)


def reach(session: Session, case_type: str, given: Given) -> Case:
    """Open a case as `given` says and play its steps."""
    case = open_(session, case_type, by=given.by, plan=given.plan, board=given.board, data=given.data)
    return play(session, case, given.steps)


@dataclass(frozen=True)
class MeetingOf:
    """A placeholder in step data for the id of a board's next meeting (or, `started`, its last one before NOW),
    looked up when the step is played."""

    board: str
    started: bool = False

    def id(self, session: Session) -> int:
        return started_meeting_id(session, self.board) if self.started else meeting_id(session, self.board)


@dataclass(frozen=True)
class Letter:
    """A placeholder in step data for a document attached to the case when the step is played (a written vote)."""

    def id(self, session: Session, case: Case | None) -> int:
        assert case is not None, "a letter needs the case it is attached to"
        return attach(session, case)


def resolve(session: Session, data: dict[str, Any] | None, case: Case | None = None) -> dict[str, Any] | None:
    """Step data with its placeholders replaced by ids from the demo register (and documents of the case)."""
    if data is None:
        return None
    return {
        k: v.id(session) if isinstance(v, MeetingOf) else v.id(session, case) if isinstance(v, Letter) else v
        for k, v in data.items()
    }


def reload(session: Session, case: Case) -> Case:
    """The case as stored now (after other cases' actions changed it)."""
    session.expire_all()
    found = session.get(Case, case_id(case))
    assert found is not None
    return found


def case_id(case: Case) -> int:
    assert case.id is not None
    return case.id


@dataclass(frozen=True)
class Trace:
    """Everything an action may leave behind on a case."""

    state: str
    version: int
    events: int
    deadlines: tuple[tuple[str, str], ...]
    outbox: int
    budget_changes: int
    data: dict[str, Any]


def trace(session: Session, cid: int) -> Trace:
    """What is stored for the case now, read from the database (not the identity map)."""
    session.expire_all()
    case = session.get(Case, cid)
    assert case is not None

    def count(table: Any, column: Any) -> int:
        return int(session.exec(select(func.count()).select_from(table).where(column == cid)).one())

    deadlines = session.exec(
        select(CaseDeadline.name, CaseDeadline.status).where(CaseDeadline.case_id == cid).order_by(col(CaseDeadline.id))
    ).all()
    return Trace(
        state=case.state,
        version=case.version,
        events=count(CaseEvent, CaseEvent.case_id),
        deadlines=tuple((name, str(status)) for name, status in deadlines),
        outbox=count(OutboxMessage, OutboxMessage.case_id),
        budget_changes=count(BudgetChange, BudgetChange.case_id),
        data=dict(case.data),
    )


def events(session: Session, cid: int) -> Sequence[CaseEvent]:
    return session.exec(select(CaseEvent).where(CaseEvent.case_id == cid).order_by(col(CaseEvent.seq))).all()


def budget(session: Session, plan: str) -> dict[tuple[str, int, str], int]:
    """The plan's budget lines: (area, year, funder) -> amount."""
    rows = session.exec(
        select(ActivityArea.code, BudgetLine.year, BudgetLine.funder, BudgetLine.amount_dkk)
        .join(ActivityArea, col(ActivityArea.id) == col(BudgetLine.activity_area_id))
        .where(BudgetLine.plan_id == plan_id(session, plan))
    ).all()
    return {(area, year, str(funder)): amount for area, year, funder, amount in rows}


def move(from_: str | None, to: str | None, amount: int) -> dict[str, Any]:
    """A budget move between lines written 'UB 2017 LBF'; None for a one-sided move."""
    result: dict[str, Any] = {"amount_dkk": amount}
    for side, line in (("from", from_), ("to", to)):
        if line:
            area, year, funder = line.split()
            result |= {f"{side}_area": area, f"{side}_year": int(year), f"{side}_funder": funder}
    return result
