"""Reminder rungs fire once each, to the people who must act now, and escalate when nobody answers (domain.md §6)."""

from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from service.notify import jobs, rungs
from service.notify.notices import Hours
from service.notify.sweep import sweep
from service.persistence.case_tables import Case, CaseDeadline
from service.persistence.notify_tables import Notice, ReminderFired, Snooze
from service.persistence.tables import User
from tests.builders import open_, play, step, user
from workflows.registry import WORKFLOWS

LEADER, S = "sara.norgaard", "sara.bech"
CONTENT = {"kind": "content", "change_description": "Lektiecafé i stedet for ungdomsklub"}
VOTER = {"FSB": "eva.holm", "AAB": "bo.iversen"}
HOURS = Hours()
# Everyone employed by the secretariat administers every case: its caseworkers and the system administrator.
SECRETARIAT = {"camilla.juhl", "jakob.vinther", "sara.bech", "admin"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def deadline(session: Session, case: Case, name: str) -> CaseDeadline:
    return session.exec(select(CaseDeadline).where(CaseDeadline.case_id == case.id, CaseDeadline.name == name)).one()


def told(session: Session, row: CaseDeadline, rung: str) -> set[str]:
    source = f"rung:{row.id}:{rung}"
    query = select(User.username).join(Notice, col(Notice.user_id) == col(User.id)).where(Notice.source == source)
    return set(session.exec(query))


def submitted(session: Session) -> Case:
    """A content change submitted on Monday 4 April 2016: screening is due 10 working days later."""
    case = open_(session, "change_request", by=LEADER, data=CONTENT)
    return play(session, case, [(LEADER, "submit", None)], now=at("2016-04-04 08:00"))


def test_the_ladder_of_a_screening_deadline() -> None:
    screening = next(d for d in WORKFLOWS["change_request"].deadlines if d.name == "screening")
    ladder = rungs.ladder(screening, opened_on=date(2016, 4, 4), due_on=date(2016, 4, 18), escalate_on=None)
    assert [(r.name, r.on) for r in ladder] == [
        ("before_7", date(2016, 4, 11)),
        ("due", date(2016, 4, 18)),
        ("escalate_1", date(2016, 4, 21)),  # 3 working days after the due date
        ("escalate_2", date(2016, 4, 27)),  # and 3 more: Store Bededag (22 April) and a weekend between
    ]


def test_a_reminder_that_would_fall_on_a_weekend_comes_on_the_working_day_before() -> None:
    report = next(d for d in WORKFLOWS["lbf_submission"].deadlines if d.name == "report_due")
    # 30 June 2017 is a Friday: 30 days before is Wednesday 31 May, 14 days before is Friday 16 June,
    # 7 days before is Friday 23 June; a due date of Monday 3 July puts 7 days before on Monday 26 June.
    ladder = rungs.ladder(report, opened_on=date(2017, 1, 2), due_on=date(2017, 7, 2), escalate_on=None)
    assert ladder[0].name == "before_30" and ladder[0].on == date(2017, 6, 2)
    assert [r.name for r in ladder] == ["before_30", "before_14", "before_7", "due", "escalate_1", "escalate_2"]
    assert date(2017, 6, 25).weekday() == 6 and ladder[2].on == date(2017, 6, 23)  # Sunday 25 June -> Friday


def test_each_rung_fires_once_to_the_people_who_must_act(session: Session) -> None:
    case = submitted(session)
    row = deadline(session, case, "screening")
    assert (row.next_rung, row.next_rung_on, row.due_on) == ("before_7", date(2016, 4, 11), date(2016, 4, 18))
    assert sweep(session, now=at("2016-04-08 08:00"), hours=HOURS).fired == 0  # nothing due yet

    first = sweep(session, now=at("2016-04-11 08:00"), hours=HOURS)
    again = sweep(session, now=at("2016-04-11 08:01"), hours=HOURS)
    assert (first.fired, again.fired) == (1, 0)
    # Screening is the secretariat's to start; the project leader may only withdraw, which is never owed.
    assert told(session, row, "before_7") == SECRETARIAT
    session.refresh(row)
    assert (row.next_rung, row.next_rung_on) == ("due", date(2016, 4, 18))
    ledger = session.exec(select(ReminderFired).where(ReminderFired.deadline_id == row.id)).all()
    assert [(r.rung, r.recipients) for r in ledger] == [("before_7", len(SECRETARIAT))]


def test_a_sweep_that_was_down_fires_only_the_latest_rung(session: Session) -> None:
    case = submitted(session)
    row = deadline(session, case, "screening")
    assert sweep(session, now=at("2016-04-22 08:00"), hours=HOURS).fired == 1
    fired = session.exec(select(ReminderFired.rung).where(ReminderFired.deadline_id == row.id)).all()
    assert fired == ["escalate_1"]  # not "7 days left" and "due today" on the day after the escalation


def test_an_escalation_is_urgent_and_goes_to_the_secretariat_then_the_chair(session: Session) -> None:
    case = submitted(session)
    row = deadline(session, case, "screening")
    sweep(session, now=at("2016-04-21 08:00"), hours=HOURS)
    sweep(session, now=at("2016-04-27 08:00"), hours=HOURS)
    notices = session.exec(select(Notice).where(col(Notice.source).like(f"rung:{row.id}:escalate%"))).all()
    assert notices and all(n.urgent and n.immediate and n.kind == "escalation" for n in notices)
    assert told(session, row, "escalate_1") == SECRETARIAT
    chair = told(session, row, "escalate_2") - told(session, row, "escalate_1")
    assert len(chair) == 1  # BB-D5's chair
    session.refresh(row)
    assert row.next_rung is None and row.next_rung_on is None  # the ladder is done


def test_nobody_is_reminded_of_a_vote_they_have_cast(session: Session) -> None:
    case = submitted(session)
    case = play(
        session,
        case,
        [(S, "start_screening", None), (S, "mark_ready", {}), (S, "schedule", {"written_procedure": True})],
        now=at("2016-04-05 08:00"),
    )
    case = step(session, case, VOTER["FSB"], "vote", {"organisation": "FSB", "vote": "approve"}, now=at("2016-04-06 09:00"))
    row = deadline(session, case, "written_procedure")
    assert row.due_on == date(2016, 4, 12) and row.next_rung == "before_2"  # 5 working days after 5 April
    sweep(session, now=at("2016-04-08 08:00"), hours=HOURS)
    reminded = told(session, row, "before_2")
    assert "bo.iversen" in reminded  # AAB has not voted
    assert "eva.holm" not in reminded and "gustav.lind" not in reminded  # FSB voted (its officer need not either)
    assert not {"sara.bech", "camilla.juhl"} & reminded  # the secretariat records votes, it does not owe them


def test_a_snoozed_reminder_skips_that_person_only(session: Session) -> None:
    case = submitted(session)
    row = deadline(session, case, "screening")
    session.add(Snooze(user_id=user(session, "sara.bech").id, deadline_id=row.id, until=date(2016, 4, 12)))
    session.flush()
    sweep(session, now=at("2016-04-11 08:00"), hours=HOURS)
    assert told(session, row, "before_7") == SECRETARIAT - {"sara.bech"}
    sweep(session, now=at("2016-04-18 08:00"), hours=HOURS)
    assert "sara.bech" in told(session, row, "due")  # the snooze ended; the deadline never moved


def test_a_broken_deadline_is_counted_and_the_sweep_goes_on(session: Session) -> None:
    broken, fine = submitted(session), submitted(session)
    bad = deadline(session, broken, "screening")
    bad.name = "no_such_deadline"  # the case type does not declare it: firing it fails
    session.add(bad)
    session.flush()
    result = sweep(session, now=at("2016-04-11 08:00"), hours=HOURS)
    assert (result.fired, result.failed) == (1, 1)
    session.refresh(bad)
    assert bad.attempts == 1 and "StopIteration" in (bad.last_error or "")
    assert told(session, deadline(session, fine, "screening"), "before_7")


def test_quiet_hours_hold_a_reminder_to_the_next_working_morning() -> None:
    friday_evening = at("2016-04-08 17:30")  # 19:30 in Copenhagen
    assert HOURS.deliver_after(friday_evening) == at("2016-04-11 05:00")  # Monday 07:00 in Copenhagen
    assert HOURS.deliver_after(friday_evening, urgent=True) == friday_evening
    maundy_thursday = at("2016-03-24 09:00")  # Skærtorsdag, then Langfredag, the weekend and 2. påskedag
    assert HOURS.deliver_after(maundy_thursday) == at("2016-03-29 05:00")
    assert HOURS.deliver_after(at("2016-04-11 09:00")) == at("2016-04-11 09:00")


def test_the_sweep_job_only_reads_when_nothing_is_due(engine) -> None:
    result = jobs.sweep_deadlines(engine, settings_for_jobs(engine), at("2015-01-01 08:00"))
    assert result == {"fired": 0, "notices": 0, "failed": 0}


def settings_for_jobs(engine):  # type: ignore[no-untyped-def]
    from service.config import Settings

    return Settings(_env_file=None, database_url=engine.url.render_as_string(hide_password=False))
