"""What was said in a decision round, read from the case's history: the organisations' votes and the advisory
statements, from the event that put the case on an agenda (or into written procedure) up to the one that decided it.

The history is the one record; these are views onto it for the meeting page, the minutes and written procedure.
"""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from service.authz import current
from service.meetings.schemas import BallotPublic, StatementPublic
from service.persistence.case_tables import Case, CaseEvent
from service.persistence.tables import Membership, Organisation, User
from workflows import calendar, schemas
from workflows.registry import WORKFLOWS
from workflows.spec import Collect

Events = Sequence[tuple[CaseEvent, User | None]]


def round_events(session: Session, case: Case, *, meeting_id: int | None = None) -> list[tuple[CaseEvent, User | None]]:
    """The events of the case's latest round on the agenda (of `meeting_id` when given), after the one that opened it
    and before the one that ended it."""
    workflow = WORKFLOWS[case.case_type]
    rows = session.exec(
        select(CaseEvent, User)
        .outerjoin(User, col(User.id) == col(CaseEvent.actor_id))
        .where(CaseEvent.case_id == case.id)
        .order_by(col(CaseEvent.seq))
    ).all()
    start = None
    for index, (event, _) in enumerate(rows):
        entered = event.to_state == workflow.on_agenda and event.from_state != event.to_state
        if entered and (meeting_id is None or event.data.get("meeting_id") == meeting_id):
            start = index
    if start is None:
        return []
    found: list[tuple[CaseEvent, User | None]] = []
    for event, user in rows[start + 1 :]:
        if event.from_state != event.to_state:
            break
        found.append((event, user))
    return found


def ballots(case: Case, events: Events) -> list[BallotPublic]:
    """The votes cast in the round, in the order they came."""
    workflow = WORKFLOWS[case.case_type]
    found = []
    for event, user in events:
        action = workflow.action(event.action)
        if action is not None and action.collects == Collect.vote:
            vote = schemas.Vote.model_validate(event.data)
            found.append(
                BallotPublic(
                    organisation=vote.organisation,
                    vote=vote.vote,
                    by=user.full_name if user else None,
                    at=event.at,
                    comment=event.comment,
                )
            )
    return found


def statements(session: Session, case: Case, events: Events) -> list[StatementPublic]:
    """The advisory statements given in the round, each with the organisations its author represents on the board."""
    workflow = WORKFLOWS[case.case_type]
    found = []
    for event, user in events:
        action = workflow.action(event.action)
        if action is None or action.requires is not schemas.Statement or action.dest is not None:
            continue
        day = event.at.astimezone(calendar.LOCAL).date()
        represented = session.exec(
            select(Organisation.code)
            .join(Membership, col(Membership.organisation_id) == col(Organisation.id))
            .where(
                Membership.user_id == event.actor_id,
                Membership.board_id == case.deciding_board_id,
                current(Membership, day),
            )
        ).all()
        found.append(
            StatementPublic(
                by=user.full_name if user else None,
                organisations=sorted(set(represented)),
                text=str(event.data.get("text", "")),
                at=event.at,
            )
        )
    return found


def statement_text(said: list[StatementPublic]) -> str:
    """The statements as the beslutning writes them: "Udtalelse fra TMF (Henrik Bay): …"."""
    parts = []
    for statement in said:
        whose = ", ".join(statement.organisations) or statement.by or "sekretariatet"
        author = f" ({statement.by})" if statement.organisations and statement.by else ""
        parts.append(f"Udtalelse fra {whose}{author}: {statement.text.strip()}")
    return " ".join(p if p.endswith((".", "!", "?")) else f"{p}." for p in parts)
