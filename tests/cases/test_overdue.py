"""A deadline paused before its day is not overdue while it rests; one paused after its day stays overdue: the case
list's filter, Mine opgaver's urgency, the case page's tag and the open-cases dashboard agree, on both databases."""

from datetime import date

import pytest
from sqlmodel import Session, select

from service.cases import listing
from service.cases.deadline_views import deadlines_of
from service.cases.overdue import is_overdue, overdue_clause
from service.persistence.case_tables import CaseDeadline, DeadlineStatus
from service.stats.flow import overdue
from service.ui.tasks import urgency
from tests.builders import SECRETARIAT, actor, open_, play
from workflows.registry import WORKFLOWS

LEADER = "sara.norgaard"
CONTENT = {"kind": "content", "change_description": "Lektiecafé i stedet for ungdomsklub"}
DUE, TODAY = date(2016, 4, 18), date(2016, 4, 25)


@pytest.mark.parametrize(
    ("paused_since", "late", "urgent"),
    [
        (None, True, "overdue"),
        (date(2016, 4, 11), False, ""),  # paused a week before its day: resuming moves the day on
        (DUE, False, ""),  # paused on its day, not after it
        (date(2016, 4, 20), True, "overdue"),  # paused when it was late already
    ],
)
def test_a_deadline_paused_in_time_is_not_overdue_anywhere(
    session: Session, paused_since: date | None, late: bool, urgent: str
) -> None:
    case = play(session, open_(session, "change_request", by=LEADER, data=CONTENT), [(LEADER, "submit", None)])
    row = session.exec(select(CaseDeadline).where(CaseDeadline.case_id == case.id)).one()
    row.due_on, row.paused_since = DUE, paused_since
    session.add(row)
    session.flush()

    listed = session.exec(listing.matching(session, actor(session, SECRETARIAT), {"overdue": True}, today=TODAY)).all()
    assert (case.id in {c.id for c in listed}) is late
    (page,) = deadlines_of(session, WORKFLOWS["change_request"], case.id or 0, TODAY)
    assert page.overdue is late and page.paused_since == paused_since
    assert urgency(row, TODAY) == urgent
    assert (case.id in overdue(session.connection(), TODAY)) is late


def test_the_rule_reads_the_same_in_python_and_sql(session: Session) -> None:
    case = play(session, open_(session, "change_request", by=LEADER, data=CONTENT), [(LEADER, "submit", None)])
    row = session.exec(select(CaseDeadline).where(CaseDeadline.case_id == case.id)).one()
    days = [date(2016, 4, d) for d in (11, 17, 18, 19, 25)]
    for status in DeadlineStatus:
        for paused_since in [None, *days]:
            for due_on in days:
                row.status, row.due_on, row.paused_since = status, due_on, paused_since
                session.add(row)
                session.flush()
                query = select(CaseDeadline.id).where(CaseDeadline.id == row.id, overdue_clause(CaseDeadline, TODAY))
                found = session.exec(query).first() is not None
                assert found is is_overdue(row, TODAY), (status, due_on, paused_since)
