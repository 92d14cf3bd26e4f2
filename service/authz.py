"""Who an actor is in relation to a case, derived from the register: employment, seats and assignments."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, Integer, String, bindparam, cast, literal, null, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from service.persistence.tables import (
    Board,
    BoardKind,
    Charter,
    Competence,
    DecisionRule,
    Designation,
    Membership,
    Organisation,
    OrganisationKind,
    Plan,
    PlanAssignment,
    PlanParty,
    Seat,
    SystemRole,
    User,
)
from workflows.spec import Role

CITY = "KK"  # the City votes as one party where it is one (strategic agreements)


@dataclass(frozen=True)
class Actor:
    """A user with what the register says about them, loaded once per request."""

    user_id: int | None  # None: the service itself (scheduled work), never a person who logs in
    username: str
    organisation_id: int | None
    organisation_kind: str | None
    acts_for: frozenset[str]  # housing organisations they are designated for or represent on a board
    seats: dict[int, frozenset[str]]  # board id -> organisations represented there
    city_seats: frozenset[int]  # boards where they sit for a City administration
    leads: frozenset[int]  # plans they are project leader of
    system_role: str | None = None

    @property
    def person(self) -> int:
        """The id of the person acting: comments, uploads and snoozes are always a person's."""
        assert self.user_id is not None, "the service's own actor has no person behind it"
        return self.user_id

    @property
    def is_admin(self) -> bool:
        return self.system_role == SystemRole.admin

    @property
    def is_secretariat(self) -> bool:
        return self.organisation_kind == OrganisationKind.secretariat


# The service itself, acting for the secretariat in scheduled work (opening owed LBF reports, rendering the members'
# agenda for a mail): it has the secretariat's view and no person behind it.
SERVICE = Actor(
    user_id=None,
    username="boligsocial",
    organisation_id=None,
    organisation_kind=OrganisationKind.secretariat,
    acts_for=frozenset(),
    seats={},
    city_seats=frozenset(),
    leads=frozenset(),
)


def current(table: Any, today: Any) -> Any:
    """Rows of a dated table (seats, designations, assignments) that hold on `today`."""
    return (col(table.valid_from) <= today) & (col(table.valid_to).is_(None) | (col(table.valid_to) >= today))


def _row(kind: str, number: Any = None, code: Any = None, org_kind: Any = None, board_kind: Any = None) -> Any:
    """One branch of the actor query: five typed columns, NULL where the branch has nothing."""
    columns: list[Any] = [literal(kind)]
    for value, type_ in ((number, Integer), (code, String), (org_kind, String), (board_kind, String)):
        columns.append(cast(null(), type_) if value is None else cast(value, type_))
    return sa_select(*columns)


def _actor_query() -> Any:
    """Everything the register says about a user on a day, in one round trip, as (kind, a, b, c, d) rows."""
    user, today = bindparam("user_id", type_=Integer), bindparam("today", type_=Date)
    return union_all(
        _row("employer", org_kind=Organisation.kind)
        .join(User, col(User.organisation_id) == col(Organisation.id))
        .where(User.id == user),
        _row("designation", code=Organisation.code)
        .join(Designation, col(Designation.organisation_id) == col(Organisation.id))
        .where(Designation.user_id == user, current(Designation, today)),
        _row("seat", Membership.board_id, Organisation.code, Organisation.kind, Board.kind)
        .select_from(Membership)
        .join(Board, col(Board.id) == col(Membership.board_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Membership.organisation_id))
        .where(Membership.user_id == user, current(Membership, today), Membership.seat != Seat.attending),
        # An attending seat (a non-voting observer) shows the board's cases, but represents no one there.
        _row("seat", Membership.board_id).where(
            Membership.user_id == user, current(Membership, today), Membership.seat == Seat.attending
        ),
        _row("lead", PlanAssignment.plan_id).where(PlanAssignment.user_id == user, current(PlanAssignment, today)),
    )


ACTOR = _actor_query()


def load_actor(session: Session, user: User, today: date | None = None) -> Actor:
    """The actor behind a user on a day: their seats, plans and the organisations they are designated for.

    Acting for a housing organisation comes from the register only (domain.md §3.1): a designation (business
    manager, named officer) or a board seat representing it; being employed by it, or by its administrator,
    is not enough. A project leader acts for the plans assigned to them.
    """
    assert user.id is not None
    params = {"user_id": user.id, "today": today or datetime.now(UTC).date()}
    own_kind, acts_for, leads = None, set(), set()
    seats: dict[int, set[str]] = defaultdict(set)
    city_seats = set()
    for kind, number, code, org_kind, board_kind in session.connection().execute(ACTOR, params):
        if kind == "employer":
            own_kind = org_kind
        elif kind == "designation":
            acts_for.add(code)
        elif kind == "lead":
            leads.add(number)
        else:
            seats[number]  # a seat even when representing no organisation (residents)
            if code is None:
                continue
            seats[number].add(code)
            if org_kind in (OrganisationKind.administration, OrganisationKind.municipality):
                city_seats.add(number)
            elif org_kind == OrganisationKind.housing_organisation and board_kind != BoardKind.local:
                acts_for.add(code)  # a representative on a governing board acts for the organisation represented
    return Actor(
        user_id=user.id,
        username=user.username,
        organisation_id=user.organisation_id,
        organisation_kind=own_kind,
        acts_for=frozenset(acts_for),
        seats={board: frozenset(codes) for board, codes in seats.items()},
        city_seats=frozenset(city_seats),
        leads=frozenset(leads),
        system_role=user.system_role,
    )


@dataclass(frozen=True)
class CaseSetting:
    """The register facts around one case: its plan's parties and the boards involved."""

    plan_id: int | None
    parties: frozenset[str]
    deciding_board_id: int | None
    central_board_id: int | None
    local_board_ids: frozenset[int] = frozenset()
    decision_rule: str = DecisionRule.unanimity
    voters: frozenset[str] = field(default_factory=frozenset)
    competence: str = ""
    period: tuple[date, date] | None = None  # the plan's grant period


def plan_deciding_board(session: Session, plan: Plan) -> Board | None:
    """The board that decides on a plan now: its district board, or the central board after a transfer."""
    if plan.competence == Competence.central:
        return session.exec(select(Board).where(Board.kind == BoardKind.central)).first()
    query = select(Board).where(Board.kind == BoardKind.district, Board.district_id == plan.district_id)
    return session.exec(query).first()


def decision_rule(session: Session, board_id: int | None) -> str:
    """The rule in the board's charter in force, unanimity without one."""
    if board_id is None:
        return DecisionRule.unanimity
    charter = session.exec(
        select(Charter)
        .where(Charter.board_id == board_id, col(Charter.superseded_on).is_(None))
        .order_by(col(Charter.version).desc())
    ).first()
    return charter.decision_rule if charter else DecisionRule.unanimity


def _facts_query() -> Any:
    """The register facts around a case in one round trip, as (kind, value) rows.

    Not cached on purpose: every action reads the register as it is in its own transaction, so a change of
    parties, seats or charter applies at once in every process.
    """
    plan, board = bindparam("plan_id", type_=Integer), bindparam("board_id", type_=Integer)
    rule = (
        select(Charter.decision_rule)
        .where(Charter.board_id == board, col(Charter.superseded_on).is_(None))
        .order_by(col(Charter.version).desc())
        .limit(1)
        .subquery()
    )
    return union_all(
        select(literal("central"), cast(Board.id, String)).where(Board.kind == BoardKind.central),
        select(literal("party"), col(Organisation.code))
        .join(PlanParty, col(PlanParty.organisation_id) == col(Organisation.id))
        .where(PlanParty.plan_id == plan),
        select(literal("local"), cast(Board.id, String)).where(Board.plan_id == plan, Board.kind == BoardKind.local),
        select(literal("rule"), cast(rule.c.decision_rule, String)),
        select(literal("competence"), cast(Plan.competence, String)).where(Plan.id == plan),
        select(literal("start"), cast(Plan.period_start, String)).where(Plan.id == plan),
        select(literal("end"), cast(Plan.period_end, String)).where(Plan.id == plan),
    )


FACTS = _facts_query()


def case_setting(
    session: Session, *, plan_id: int | None, deciding_board_id: int | None, city_is_party: bool = False
) -> CaseSetting:
    """The register facts around a case: the plan's parties, the boards involved and the decision rule."""
    found: dict[str, list[str]] = defaultdict(list)
    for kind, value in session.connection().execute(FACTS, {"plan_id": plan_id, "board_id": deciding_board_id}):
        found[kind].append(value)
    parties = frozenset(found["party"])
    return CaseSetting(
        plan_id=plan_id,
        parties=parties,
        deciding_board_id=deciding_board_id,
        central_board_id=int(found["central"][0]) if found["central"] else None,
        local_board_ids=frozenset(int(b) for b in found["local"]),
        decision_rule=found["rule"][0] if found["rule"] else DecisionRule.unanimity,
        voters=parties | {CITY} if city_is_party else parties,
        competence=found["competence"][0] if found["competence"] else "",
        period=(date.fromisoformat(found["start"][0]), date.fromisoformat(found["end"][0])) if found["start"] else None,
    )


def roles_for(actor: Actor, setting: CaseSetting) -> dict[Role, frozenset[str]]:
    """Each role the actor has on the case, with the organisations that role lets them act or vote for."""
    roles: dict[Role, frozenset[str]] = {}
    if actor.is_secretariat:
        roles[Role.secretariat] = setting.voters
    if actor.is_admin:
        roles[Role.admin] = frozenset()
    if setting.plan_id in actor.leads:
        roles[Role.project_leader] = frozenset()
    if actor.acts_for & setting.parties:
        roles[Role.party_org] = actor.acts_for & setting.parties
    board = setting.deciding_board_id
    if board is not None and board in actor.seats:
        represented = actor.seats[board] & setting.voters
        if represented:
            roles[Role.deciding_party_member] = represented
        if board in actor.city_seats:
            roles[Role.city_member] = frozenset({CITY}) & setting.voters
    if setting.central_board_id in actor.seats:
        roles[Role.central_member] = frozenset()
    if setting.local_board_ids & actor.seats.keys():
        roles[Role.local_group_member] = frozenset()
    return roles
