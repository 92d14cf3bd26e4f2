"""Deadline rows follow the case through its states, with due dates in Danish working days (domain.md §6)."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, col, select

from service.errors import Invalid
from service.persistence.case_tables import Case, CaseDeadline
from tests.builders import SECRETARIAT as S
from tests.builders import (
    events,
    open_,
    play,
    step,
)
from tests.cases.test_case_rules import BETWEEN, CR_APPROVED, CR_SCHEDULED, LEADER, WITHIN


def deadlines(session: Session, case: Case) -> list[CaseDeadline]:
    session.expire_all()
    return list(session.exec(select(CaseDeadline).where(CaseDeadline.case_id == case.id).order_by(col(CaseDeadline.id))))


def last_event_id(session: Session, case: Case) -> int | None:
    assert case.id is not None
    return events(session, case.id)[-1].id


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("submitted_at", "due"),
    [
        pytest.param("2026-12-22 11:00", date(2027, 1, 11), id="over Christmas and New Year (24, 25, 26, 31 Dec, 1 Jan)"),
        pytest.param("2026-12-22 23:30", date(2027, 1, 12), id="23:30 UTC is already 23 December in Copenhagen"),
        pytest.param("2016-04-04 10:00", date(2016, 4, 18), id="two plain weeks"),
        pytest.param("2027-03-22 09:00", date(2027, 4, 8), id="over Easter (Thursday, Friday, Monday)"),
        pytest.param("2026-05-29 09:00", date(2026, 6, 15), id="over Grundlovsdag, 5 June"),
    ],
)
def test_submitting_opens_a_screening_deadline_ten_danish_working_days_later(
    session: Session, submitted_at: str, due: date
) -> None:
    case = open_(session, "change_request", by=LEADER, data=WITHIN)  # opened while the grant runs
    assert deadlines(session, case) == []
    case = step(session, case, LEADER, "submit", now=at(submitted_at))
    [screening] = deadlines(session, case)
    assert (screening.name, screening.kind, screening.status, screening.due_on) == (
        "screening",
        "service_target",
        "open",
        due,
    )
    assert screening.opened_event_id == last_event_id(session, case) and screening.closed_event_id is None
    assert "10 working days" in screening.rule


def test_the_screening_deadline_runs_through_screening_and_is_met_when_screening_ends(session: Session) -> None:
    case = open_(session, "change_request", by=LEADER, data=WITHIN)  # at NOW, while the grant runs (§3.1)
    case = play(session, case, [(LEADER, "submit", None)], now=at("2026-12-22 11:00"))
    [opened] = deadlines(session, case)
    case = step(session, case, S, "start_screening", now=at("2027-01-04 08:00"))
    assert [(d.id, d.status, d.due_on) for d in deadlines(session, case)] == [(opened.id, "open", date(2027, 1, 11))]
    case = step(session, case, S, "mark_ready", {}, now=at("2027-01-05 08:00"))
    [met] = deadlines(session, case)
    assert (met.id, met.status, met.due_on) == (opened.id, "met", date(2027, 1, 11))
    assert met.closed_event_id == last_event_id(session, case)


def test_a_resubmitted_case_gets_a_new_screening_deadline(session: Session) -> None:
    case = play(session, open_(session, "change_request", by=LEADER, data=WITHIN), CR_SCHEDULED.steps)
    case = play(session, case, [(S, "send_back", None), (LEADER, "revise", None)])
    case = step(session, case, LEADER, "submit", now=at("2016-06-01 09:00"))
    assert [(d.name, d.status, d.due_on) for d in deadlines(session, case)] == [
        ("screening", "met", date(2016, 4, 18)),
        ("written_procedure", "met", date(2016, 4, 11)),  # the scheduled round was by written procedure
        ("screening", "open", date(2016, 6, 15)),
    ]


def test_a_consultation_has_its_own_deadline(session: Session) -> None:
    case = play(session, open_(session, "change_request", by=LEADER, data=WITHIN), CR_SCHEDULED.steps[:2])
    case = step(session, case, S, "start_consultation", {}, now=at("2016-04-11 09:00"))
    assert [(d.name, d.status, d.due_on) for d in deadlines(session, case)] == [
        ("screening", "met", date(2016, 4, 18)),
        ("consultation", "open", date(2016, 4, 26)),  # over Store Bededag, Friday 22 April 2016
    ]
    case = step(session, case, S, "close_consultation")
    assert [d.status for d in deadlines(session, case)] == ["met", "met"]


def test_withdrawing_closes_the_open_deadline(session: Session) -> None:
    case = play(session, open_(session, "change_request", by=LEADER, data=WITHIN), [(LEADER, "submit", None)])
    case = step(session, case, LEADER, "withdraw")
    [closed] = deadlines(session, case)
    assert closed.status != "open" and closed.closed_event_id == last_event_id(session, case)


def test_lbf_has_thirty_calendar_days_to_reply_and_is_chased_at_forty_five(session: Session) -> None:
    """Sent 5 April 2016: day 30 is Ascension Day (5 May), so the reply is due the 6th; escalation on day 45, 20 May."""
    case = play(session, open_(session, "change_request", by=LEADER, data=BETWEEN), CR_APPROVED.steps)
    case = step(session, case, S, "send_to_lbf", now=at("2016-04-05 09:00"))
    [reply] = [d for d in deadlines(session, case) if d.name == "lbf_reply"]
    assert (reply.kind, reply.status, reply.due_on) == ("external_body", "open", date(2016, 5, 6))
    assert reply.escalate_on == date(2016, 5, 20)
    case = step(session, case, S, "record_lbf_approval", {})
    assert [d.status for d in deadlines(session, case) if d.name == "lbf_reply"] == ["met"]


def test_a_report_is_due_on_its_date_moved_to_a_working_day_until_it_is_submitted(session: Session) -> None:
    data = {"report": "regulation_account", "period": "2016", "due_date": "2017-07-01"}  # a Saturday
    case = open_(session, "lbf_submission", data=data, now=at("2017-01-02 09:00"))
    [due] = deadlines(session, case)
    assert (due.name, due.kind, due.status, due.due_on) == ("report_due", "statutory", "open", date(2017, 7, 3))
    assert due.opened_event_id == last_event_id(session, case)
    case = play(
        session, case, [(LEADER, "start_preparation", None), ("gustav.lind", "approve_submission", {"organisation": "FSB"})]
    )
    assert [d.status for d in deadlines(session, case)] == ["open"]
    case = step(session, case, "gustav.lind", "submit_to_lbf", now=at("2017-06-26 09:00"))
    assert [(d.name, d.status) for d in deadlines(session, case)] == [("report_due", "met"), ("lbf_reply", "open")]
    assert deadlines(session, case)[1].due_on == date(2017, 7, 26)


def test_a_refused_action_opens_no_deadline(session: Session) -> None:
    case = open_(session, "change_request", by=LEADER, data={"kind": "content"})  # no description: cannot be submitted
    with pytest.raises(Invalid):
        step(session, case, LEADER, "submit")
    assert deadlines(session, case) == []
