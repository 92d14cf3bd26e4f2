"""About 300 case histories from January 2015 to the demo's "today", played through the real engine.

Each case is opened and moved with `open_case` / `apply_action` on a simulated clock (`simulate`): the secretariat
screens, schedules on the deciding board's next meeting after the agenda cut-off and records the votes cast there
for each party; LBF answers after about a month, sometimes much later; some cases are sent back and reworked,
postponed, queried by LBF, rejected or withdrawn. Where the engine refuses a step (a rule of the register on that
day), the case stays where it is, as a real one would until someone acts.
"""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from service.authz import Actor, load_actor
from service.cases import Outcome, apply_action, open_case, situation
from service.demo.scale import quarterly
from service.demo.simulate import Step, Walk, advance, destination, local_day, moves, next_step, office_time
from service.errors import ServiceError
from service.persistence.case_tables import Case, CaseEvent
from service.persistence.tables import Board, BoardKind, Designation, Meeting, Organisation, Plan, PlanParty, User
from workflows.registry import WORKFLOWS

CASES = 300
FIRST_DAY = date(2015, 1, 5)
CLERK = "sara.bech"
SEATS_FROM = date(2016, 1, 1)  # designations and seats in the demo register start here
TYPES = {"change_request": 0.66, "lbf_submission": 0.2, "strategic_agreement_change": 0.1, "charter": 0.04}
TITLES = {
    "change_request": [
        "Lektiecafé udvides",
        "Flere timer til fritidsjob",
        "Ny forældregruppe",
        "Tryghedsvandringer",
        "Mentorforløb for unge",
        "Sommeraktiviteter flyttes",
        "Netværksgrupper for kvinder",
    ],
    "lbf_submission": ["Statusrapport", "Målopfyldelsesskema", "Milepælsplan", "Reguleringskontoopgørelse"],
    "strategic_agreement_change": ["Ny delaftale om beskæftigelse", "Justeret mål for skolefravær"],
    "charter": ["Revideret forretningsorden"],
}
REPORTS = {
    "Statusrapport": "status_report",
    "Målopfyldelsesskema": "goal_attainment",
    "Milepælsplan": "milestone_plan",
    "Reguleringskontoopgørelse": "regulation_account",
}


class Storyteller:
    def __init__(self, session: Session, until: datetime, seed: int = 2015) -> None:
        self.session, self.until, self.rng = session, until, random.Random(seed)
        self.users = {u.username: u for u in session.exec(select(User))}
        self.meetings = self._meetings()
        self.outcome: Counter[str] = Counter()
        self.actors: dict[tuple[str, date], Actor] = {}

    def _meetings(self) -> dict[int, dict[datetime, int]]:
        """Each board's meetings; 2015, before the demo calendar, gets four generated ones per board."""
        for board in self.session.exec(select(Board.id)).all():
            for moment in quarterly(board or 0, range(2015, 2016)):
                self.session.add(Meeting(board_id=board or 0, starts_at=moment, location="Genereret (demo 2015)"))
        self.session.commit()
        found: dict[int, dict[datetime, int]] = {}
        for meeting in self.session.exec(select(Meeting).order_by(col(Meeting.starts_at))):
            moment = meeting.starts_at if meeting.starts_at.tzinfo else meeting.starts_at.replace(tzinfo=UTC)
            found.setdefault(meeting.board_id, {})[moment] = meeting.id or 0
        return found

    def actor(self, username: str, at: datetime) -> Actor:
        """The user as the register has them on the day (seats and designations are dated), read once per day."""
        key = (username, local_day(at))
        if key not in self.actors:
            self.actors[key] = load_actor(self.session, self.users[username], key[1])
        return self.actors[key]

    def subject(self, case_type: str, day: date) -> dict[str, int] | None:
        """A plan whose grant runs on the day (a district board for a charter)."""
        if case_type == "charter":
            boards = self.session.exec(select(Board.id).where(Board.kind == BoardKind.district)).all()
            return {"board_id": self.rng.choice(boards) or 0}
        query = select(Plan.id).where(Plan.period_start <= day, Plan.period_end >= day)
        if case_type == "lbf_submission":  # a party's designated officer approves its reports
            same_org = col(Designation.organisation_id) == col(PlanParty.organisation_id)
            designated = select(PlanParty.plan_id).join(Designation, same_org)
            query = query.where(col(Plan.id).in_(designated))
        plans = self.session.exec(query).all()
        return {"plan_id": self.rng.choice(plans) or 0} if plans else None

    def open(self, case_type: str, day: date) -> Case | None:
        subject = self.subject(case_type, day)
        if subject is None:
            return None
        title = self.rng.choice(TITLES[case_type])
        data: dict[str, Any] = {
            "change_request": {"kind": "content", "change_description": title},
            "lbf_submission": {
                "report": REPORTS.get(title, "other"),
                "period": str(day.year),
                "due_date": (day + timedelta(days=60)).isoformat(),
            },
            "strategic_agreement_change": {"change_description": title},
            "charter": {"decision_rule": "unanimity", "summary": title},
        }[case_type]
        opened = office_time(day, self.rng)
        try:
            return open_case(
                session=self.session,
                actor=self.actor(CLERK, opened),
                case_type=case_type,
                title=title,
                data=data,
                now=opened,
                plan_id=subject.get("plan_id"),
                board_id=subject.get("board_id"),
            )
        except ServiceError:
            self.outcome["not opened"] += 1
            return None

    def data(self, case: Case, step: Step) -> tuple[str, dict[str, Any]]:
        """Who takes a step and with what data: the secretariat, or for an organisation's own act its officer."""
        spec = WORKFLOWS[case.case_type].action(step.action)
        assert spec is not None
        if step.action == "schedule" and step.meeting is not None:
            return CLERK, {"meeting_id": self.meetings[case.deciding_board_id or 0][step.meeting]}
        if spec.on_behalf:
            return self.officer(case, step.at)
        fields = spec.requires.model_fields if spec.requires is not None else {}
        if "material" in fields:
            return CLERK, {"material": self.rng.random() < 0.3}
        return CLERK, {"text": "Besvaret"} if "text" in fields else {}

    def officer(self, case: Case, at: datetime) -> tuple[str, dict[str, Any]]:
        """A person designated for one of the plan's parties, acting for it."""
        voters = situation(self.session, case, self.actor(CLERK, at)).setting.voters
        rows = self.session.exec(
            select(User.username, Organisation.code)
            .join(Designation, col(Designation.user_id) == col(User.id))
            .join(Organisation, col(Organisation.id) == col(Designation.organisation_id))
            .where(col(Organisation.code).in_(voters))
        ).all()
        if not rows:
            return CLERK, {}
        username, code = self.rng.choice(sorted(rows))
        return username, {"organisation": code}

    def votes(self, case: Case, step: Step, meeting: datetime) -> Case:
        """The votes cast at the meeting, recorded by the secretariat: all approve, or one party rejects."""
        voters = sorted(situation(self.session, case, self.actor(CLERK, meeting)).setting.voters)
        against = self.rng.choice(voters) if step.action == "reject" and voters else None
        meeting_id = self.meetings[case.deciding_board_id or 0][meeting]
        for organisation in voters:
            vote = "reject" if organisation == against else "approve"
            case = apply_action(
                session=self.session,
                actor=self.actor(CLERK, step.at),
                case_id=case.id or 0,
                action="vote",
                expected_version=case.version,
                now=meeting + timedelta(minutes=10),
                data={"organisation": organisation, "vote": vote, "meeting_id": meeting_id},
            ).case
        return case

    def step(self, case: Case, step: Step, meeting: datetime | None) -> Case:
        """One step through the engine; a decision at a meeting first gets the votes cast there."""
        workflow = WORKFLOWS[case.case_type]
        if meeting is not None and workflow.collects_in(case.state) and step.to_state in workflow.decided_in:
            case = self.votes(case, step, meeting)
        username, data = self.data(case, step)
        outcome: Outcome = apply_action(
            session=self.session,
            actor=self.actor(username, step.at),
            case_id=case.id or 0,
            action=step.action,
            expected_version=case.version,
            data=data,
            now=step.at,
        )
        return outcome.case

    def attempt(self, case: Case, step: Step, meeting: datetime | None, options: list[str]) -> tuple[Case, Step] | None:
        """The step, or where the engine refuses it (LBF needed or not, say) the other ways out of the state."""
        workflow = WORKFLOWS[case.case_type]
        tries = [step, *(Step(o, step.from_state, destination(workflow, o), step.at) for o in options if o != step.action)]
        for attempt in tries:
            try:
                return self.step(case, attempt, meeting), attempt
            except ServiceError:
                continue
        return None

    def play(self, case: Case) -> None:
        """Walk the case until its course ends, the clock reaches the demo's today, or the engine refuses."""
        workflow = WORKFLOWS[case.case_type]
        board_meetings = sorted(self.meetings.get(case.deciding_board_id or 0, {}))
        walk = Walk(workflow, case.state, aware(case_opened(self.session, case)), board_meetings)
        while True:
            step = next_step(walk, moves(workflow, walk.state), self.rng)
            if step is None or step.at > self.until:
                self.outcome["open" if case.is_open else "closed"] += 1
                return
            played = self.attempt(case, step, walk.meeting, moves(workflow, walk.state))
            if played is None:
                self.outcome["stopped by a rule"] += 1
                return
            case, step = played
            advance(walk, step)
            walk.meetings = sorted(self.meetings.get(case.deciding_board_id or 0, {}))  # competence may have moved

    def tell(self, count: int = CASES) -> str:
        span = (local_day(self.until) - FIRST_DAY).days - 14
        for _ in range(count):
            case_type = self.rng.choices(list(TYPES), weights=list(TYPES.values()))[0]
            day = FIRST_DAY + timedelta(days=self.rng.randrange(span))
            if case_type == "lbf_submission":  # the housing organisations approve reports: designated from 2016
                day = max(day, SEATS_FROM + timedelta(days=self.rng.randrange(30)))
            case = self.open(case_type, day)
            if case is not None:
                self.play(case)
        return ", ".join(f"{n} {what}" for what, n in sorted(self.outcome.items()))


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def case_opened(session: Session, case: Case) -> datetime:
    return session.exec(select(CaseEvent.at).where(CaseEvent.case_id == case.id, CaseEvent.seq == 1)).one()


def play_story(session: Session, until: datetime, count: int = CASES) -> str:
    """Open and play `count` cases from January 2015 up to `until` (the demo's today)."""
    told = Storyteller(session, until).tell(count)
    return f"Played {count} generated case histories from 2015 through the workflow engine ({told})."
