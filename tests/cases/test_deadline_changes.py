"""A paused deadline resumes later by the working days it was paused; an extension keeps the ladder ahead."""

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from service.cases.deadline_changes import Change, DeadlineChange, change_deadline
from service.notify.notices import Hours
from service.notify.sweep import sweep
from service.persistence.case_tables import CaseDeadline
from tests.builders import actor, open_, play

LEADER, S = "sara.norgaard", "sara.bech"
CONTENT = {"kind": "content", "change_description": "Lektiecafé i stedet for ungdomsklub"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_pause_moves_the_due_date_by_the_working_days_it_lasted(session: Session) -> None:
    case = play(session, open_(session, "change_request", by=LEADER, data=CONTENT), [(LEADER, "submit", None)])
    row = session.exec(select(CaseDeadline).where(CaseDeadline.case_id == case.id)).one()
    assert row.due_on == date(2016, 4, 18)

    def change(what: Change, when: str, version: int, due_on: date | None = None) -> None:
        body = DeadlineChange(expected_version=version, reason="Venter på bilag", due_on=due_on)
        change_deadline(
            session=session,
            actor=actor(session, S),
            case_id=case.id,
            deadline_id=row.id,
            change=what,
            body=body,
            now=at(when),
        )

    change(Change.pause, "2016-04-06 09:00", case.version)  # Wednesday
    assert sweep(session, now=at("2016-04-11 08:00"), hours=Hours()).fired == 0  # a paused deadline reminds nobody
    change(Change.unpause, "2016-04-13 09:00", case.version + 1)  # a week later: 5 working days
    session.refresh(row)
    assert (row.due_on, row.paused_since) == (date(2016, 4, 26), None)  # Store Bededag (22 April) is no working day
    assert (row.next_rung, row.next_rung_on) == ("before_7", date(2016, 4, 19))  # the ladder moved with it
    change(Change.extend, "2016-04-14 09:00", case.version + 2, due_on=date(2016, 5, 1))  # a Sunday
    session.refresh(row)
    assert row.due_on == date(2016, 5, 2)  # moved to the next working day
