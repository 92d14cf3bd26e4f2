"""Read use cases for the register: districts, organisations, plans, boards and meetings.

The register is small (tens of plans, hundreds of seats), so each call loads the few tables it needs
once and assembles the answer in memory instead of issuing a query per row.
"""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from service import schemas
from service.authz import current
from service.errors import NotFound
from service.persistence.case_tables import BudgetChange, Case, CaseEvent
from service.persistence.tables import (
    ActivityArea,
    Board,
    BoardKind,
    BudgetLine,
    Charter,
    Competence,
    DecisionRule,
    Designation,
    District,
    Grant,
    GrantFunding,
    HousingDepartment,
    Meeting,
    Membership,
    Organisation,
    OrganisationKind,
    Plan,
    PlanAssignment,
    PlanParty,
    Seat,
    StrategicAgreement,
    User,
)


def ref(row: Any) -> schemas.Ref:
    """A short reference to a row with id, code and name (users: username as code)."""
    if isinstance(row, User):
        return schemas.Ref(id=row.id or 0, code=row.username, name=row.full_name)
    return schemas.Ref(id=row.id, code=row.code, name=row.name)


def all_by_id(session: Session, table: Any) -> dict[int, Any]:
    return {row.id: row for row in session.exec(select(table))}


def get_or_404(session: Session, table: Any, row_id: int, what: str) -> Any:
    row = session.get(table, row_id)
    if row is None:
        raise NotFound(f"There is no {what} with id {row_id}.", da=f"Der findes ikke noget med id {row_id}.")
    return row


def list_districts(*, session: Session) -> list[schemas.DistrictPublic]:
    """Every district with its district board."""
    boards = {b.district_id: b for b in session.exec(select(Board).where(Board.kind == BoardKind.district))}
    return [
        schemas.DistrictPublic(**ref(d).model_dump(), board=ref(boards[d.id]) if d.id in boards else None)
        for d in session.exec(select(District).order_by(col(District.code)))
    ]


def list_organisations(*, session: Session, kind: str | None = None) -> list[schemas.OrganisationPublic]:
    """Every organisation, optionally of one kind."""
    orgs = all_by_id(session, Organisation)
    rows = sorted((o for o in orgs.values() if kind is None or o.kind == kind), key=lambda o: (o.kind, o.code))
    return [
        schemas.OrganisationPublic(
            **ref(o).model_dump(),
            name_en=o.name_en,
            kind=o.kind,
            in_saf=o.in_saf,
            administrator=ref(orgs[o.administrator_id]) if o.administrator_id else None,
            parent=ref(orgs[o.parent_id]) if o.parent_id else None,
        )
        for o in rows
    ]


def list_activity_areas(*, session: Session) -> list[schemas.ActivityAreaPublic]:
    rows = session.exec(select(ActivityArea).order_by(col(ActivityArea.id)))
    return [schemas.ActivityAreaPublic.model_validate(a, from_attributes=True) for a in rows]


class _PlanContext:
    """The tables every plan answer needs, loaded once."""

    def __init__(self, session: Session) -> None:
        self.orgs = all_by_id(session, Organisation)
        self.districts = all_by_id(session, District)
        boards = list(session.exec(select(Board)))
        self.central = next((b for b in boards if b.kind == BoardKind.central), None)
        self.district_boards = {b.district_id: b for b in boards if b.kind == BoardKind.district}
        self.parties: dict[int, list[int]] = defaultdict(list)
        for party in session.exec(select(PlanParty)):
            self.parties[party.plan_id].append(party.organisation_id)

    def deciding_body(self, plan: Plan) -> Board:
        board = self.central if plan.competence == Competence.central else self.district_boards.get(plan.district_id)
        if board is None:
            raise NotFound(f"Plan {plan.code} has no deciding board in the register.")
        return board

    def public(self, plan: Plan) -> dict[str, Any]:
        assert plan.id is not None
        parties = sorted((self.orgs[o] for o in self.parties[plan.id]), key=lambda o: o.code)
        return dict(
            **ref(plan).model_dump(),
            district=ref(self.districts[plan.district_id]),
            period_start=plan.period_start,
            period_end=plan.period_end,
            lead_organisation=ref(self.orgs[plan.lead_organisation_id]),
            parties=[ref(o) for o in parties],
            competence=plan.competence,
            deciding_body=ref(self.deciding_body(plan)),
            is_real=plan.is_real,
        )


def list_plans(*, session: Session, district_id: int | None = None) -> list[schemas.PlanPublic]:
    """Every plan with its parties and deciding body, optionally in one district."""
    context = _PlanContext(session)
    query = select(Plan).order_by(col(Plan.code))
    if district_id is not None:
        query = query.where(Plan.district_id == district_id)
    return [schemas.PlanPublic(**context.public(plan)) for plan in session.exec(query)]


def get_plan(*, session: Session, plan_id: int) -> schemas.PlanDetail:
    """One plan with departments, grant, budget by activity area and its strategic agreement in force."""
    plan: Plan = get_or_404(session, Plan, plan_id, "plan")
    context = _PlanContext(session)
    departments = session.exec(select(HousingDepartment).where(HousingDepartment.plan_id == plan_id))
    lines = session.exec(select(BudgetLine).where(BudgetLine.plan_id == plan_id))
    agreement = session.exec(
        select(StrategicAgreement)
        .where(StrategicAgreement.plan_id == plan_id, col(StrategicAgreement.superseded_on).is_(None))
        .order_by(col(StrategicAgreement.version).desc())
    ).first()
    leaders = session.exec(
        select(User)
        .join(PlanAssignment, col(PlanAssignment.user_id) == col(User.id))
        .where(PlanAssignment.plan_id == plan_id)
        .order_by(col(User.full_name))
    )
    budget = _budget(session, list(lines))
    return schemas.PlanDetail(
        **context.public(plan),
        departments=[
            schemas.DepartmentPublic(
                name=d.name, organisation=ref(context.orgs[d.organisation_id]) if d.organisation_id else None
            )
            for d in departments
        ],
        grant=_grant(session, plan_id),
        budget=budget,
        budget_total_dkk=sum(area.total_dkk for area in budget),
        budget_history=budget_history(session=session, plan_id=plan_id),
        strategic_agreement=schemas.AgreementPublic.model_validate(agreement, from_attributes=True) if agreement else None,
        project_leaders=[ref(u) for u in leaders],
    )


def _budget(session: Session, lines: list[BudgetLine]) -> list[schemas.BudgetArea]:
    areas = {a.id: a for a in session.exec(select(ActivityArea).order_by(col(ActivityArea.id)))}
    by_area: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in lines:
        by_area[line.activity_area_id].append(line)
    result = []
    for area_id, area in areas.items():
        if area_id not in by_area:
            continue
        funders: dict[Any, int] = defaultdict(int)
        years: dict[int, int] = defaultdict(int)
        for line in by_area[area_id]:
            funders[line.funder] += line.amount_dkk
            years[line.year] += line.amount_dkk
        result.append(
            schemas.BudgetArea(
                activity_area=area.code,
                name_da=area.name_da,
                by_funder=dict(funders),
                by_year=dict(sorted(years.items())),
                total_dkk=sum(funders.values()),
                lines=[
                    schemas.BudgetLinePublic(year=line.year, funder=line.funder, amount_dkk=line.amount_dkk)
                    for line in sorted(by_area[area_id], key=lambda line: (line.year, line.funder))
                ],
            )
        )
    return result


def budget_history(*, session: Session, plan_id: int) -> list[schemas.BudgetChangePublic]:
    """Every implemented budget change of the plan, oldest first, with its case and the lines it moved."""
    rows = session.exec(
        select(BudgetChange, ActivityArea.code, Case, CaseEvent.at)
        .join(ActivityArea, col(ActivityArea.id) == col(BudgetChange.activity_area_id))
        .join(Case, col(Case.id) == col(BudgetChange.case_id))
        .join(CaseEvent, col(CaseEvent.id) == col(BudgetChange.event_id))
        .where(BudgetChange.plan_id == plan_id)
        .order_by(col(CaseEvent.at), col(BudgetChange.id))
    )
    changes: dict[int, schemas.BudgetChangePublic] = {}
    for change, area, case, at in rows:
        entry = changes.setdefault(
            change.event_id,
            schemas.BudgetChangePublic(case_id=change.case_id, reference=case.reference, title=case.title, at=at, lines=[]),
        )
        entry.lines.append(
            schemas.BudgetMovePublic(activity_area=area, year=change.year, funder=change.funder, delta_dkk=change.delta_dkk)
        )
    return list(changes.values())


def _grant(session: Session, plan_id: int) -> schemas.GrantPublic | None:
    grant = session.exec(select(Grant).where(Grant.plan_id == plan_id)).first()
    if grant is None:
        return None
    fundings = {f.funder: f.amount_dkk for f in session.exec(select(GrantFunding).where(GrantFunding.grant_id == grant.id))}
    return schemas.GrantPublic(
        reference=grant.reference,
        granted_on=grant.granted_on,
        by_funder=fundings,
        total_dkk=sum(fundings.values()),
    )


def list_boards(*, session: Session) -> list[schemas.BoardPublic]:
    """Every board: the central board, the district boards and the local groups."""
    return [_board_public(session, b) for b in session.exec(select(Board).order_by(col(Board.id)))]


def _board_public(session: Session, board: Board) -> schemas.BoardPublic:
    district = session.get(District, board.district_id) if board.district_id else None
    plan = session.get(Plan, board.plan_id) if board.plan_id else None
    return schemas.BoardPublic(
        **ref(board).model_dump(),
        kind=board.kind,
        district=ref(district) if district else None,
        plan=ref(plan) if plan else None,
    )


def get_board(*, session: Session, board_id: int) -> schemas.BoardDetail:
    """One board with its members (grouped per person), the plans it decides on, charter and meetings."""
    board: Board = get_or_404(session, Board, board_id, "board")
    users = all_by_id(session, User)
    orgs = all_by_id(session, Organisation)
    seats: dict[tuple[int, str], list[Membership]] = defaultdict(list)
    for m in session.exec(select(Membership).where(Membership.board_id == board_id).order_by(col(Membership.id))):
        seats[(m.user_id, m.seat)].append(m)
    members = [
        schemas.SeatPublic(
            user=ref(users[user_id]),
            seat=rows[0].seat,
            valid_from=rows[0].valid_from,
            valid_to=rows[0].valid_to,
            represents=[ref(orgs[m.organisation_id]) for m in rows if m.organisation_id],
        )
        for (user_id, _), rows in seats.items()
    ]
    context = _PlanContext(session)
    plans = [ref(p) for p in session.exec(select(Plan).order_by(col(Plan.code))) if context.deciding_body(p).id == board_id]
    charter = session.exec(
        select(Charter)
        .where(Charter.board_id == board_id, col(Charter.superseded_on).is_(None))
        .order_by(col(Charter.version).desc())
    ).first()
    return schemas.BoardDetail(
        **_board_public(session, board).model_dump(),
        members=members,
        plans=plans,
        charter=schemas.CharterPublic.model_validate(charter, from_attributes=True) if charter else None,
        decision_rule=charter.decision_rule if charter else DecisionRule.unanimity,
        meetings=list_meetings(session=session, board_id=board_id),
    )


def list_meetings(
    *,
    session: Session,
    board_id: int | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
) -> list[schemas.MeetingPublic]:
    """Meetings in time order, optionally for one board and within a time window."""
    boards = all_by_id(session, Board)
    query = select(Meeting).order_by(col(Meeting.starts_at))
    if board_id is not None:
        query = query.where(Meeting.board_id == board_id)
    if after is not None:
        query = query.where(Meeting.starts_at >= after)
    if before is not None:
        query = query.where(Meeting.starts_at < before)
    return [meeting_public(m, boards[m.board_id]) for m in session.exec(query)]


def meeting_public(meeting: Meeting, board: Board) -> schemas.MeetingPublic:
    """A meeting as the register shows it: when, where, whether it still takes place."""
    assert meeting.id is not None
    return schemas.MeetingPublic(
        id=meeting.id,
        board=ref(board),
        starts_at=meeting.starts_at,
        location=meeting.location,
        status=meeting.status,
        version=meeting.version,
    )


def acts_for(*, session: Session, user: User, today: date) -> list[schemas.ActsForPublic]:
    """The housing organisations the user acts for today, each with its basis in the register (domain.md §3.1)."""
    found = [
        schemas.ActsForPublic(organisation=ref(org), basis=d.kind)
        for d, org in session.exec(
            select(Designation, Organisation)
            .join(Organisation, col(Organisation.id) == col(Designation.organisation_id))
            .where(Designation.user_id == user.id, current(Designation, today))
        )
    ]
    seats = session.exec(
        select(Organisation, Board)
        .join(Membership, col(Membership.organisation_id) == col(Organisation.id))
        .join(Board, col(Board.id) == col(Membership.board_id))
        .where(
            Membership.user_id == user.id,
            current(Membership, today),
            Board.kind != BoardKind.local,
            Membership.seat != Seat.attending,
            Organisation.kind == OrganisationKind.housing_organisation,
        )
    )
    found += [schemas.ActsForPublic(organisation=ref(org), basis="board_representative", board=ref(b)) for org, b in seats]
    return found
