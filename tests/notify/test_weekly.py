"""A housing organisation's weekly list of the votes and consents it owes, once a week to its shared mailbox."""

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.config import Settings
from service.notify import jobs
from service.persistence.notify_tables import Mail
from service.persistence.tables import Organisation
from tests.builders import open_, play, step

LEADER, S = "sara.norgaard", "sara.bech"
CONTENT = {"kind": "content", "change_description": "Lektiecafé i stedet for ungdomsklub"}
MONDAY = datetime(2016, 4, 11, 5, 0, tzinfo=UTC)  # 07:00 in Copenhagen
FSB_BOX = "udlejning@fsb.example.org"


def weekly_mails(engine: Engine) -> list[Mail]:
    with Session(engine) as session:
        return list(session.exec(select(Mail).where(Mail.to_address == FSB_BOX)))


def test_an_organisation_gets_one_list_a_week_of_what_it_owes(own_engine: Engine, own_settings: Settings) -> None:
    with Session(own_engine) as session:
        fsb = session.exec(select(Organisation).where(Organisation.code == "FSB")).one()
        fsb.weekly_digest_to = FSB_BOX
        session.add(fsb)
        session.commit()
        case = open_(session, "change_request", by=LEADER, data=CONTENT)
        steps = [(LEADER, "submit", None), (S, "start_screening", None), (S, "mark_ready", {})]
        case = play(session, case, [*steps, (S, "schedule", {"written_procedure": True})])
    assert jobs.daily_digest(own_engine, own_settings, MONDAY)["weekly"] == 1
    assert jobs.daily_digest(own_engine, own_settings, MONDAY.replace(hour=9))["weekly"] == 0  # once a week
    assert jobs.daily_digest(own_engine, own_settings, MONDAY.replace(day=12))["weekly"] == 0  # Tuesday
    [mail] = weekly_mails(own_engine)
    assert mail.subject == "Uge 15: 1 sag venter på jer" and case.reference in mail.body_text and mail.stored
    with Session(own_engine) as session:
        step(session, case, "eva.holm", "vote", {"organisation": "FSB", "vote": "approve"})
    assert jobs.daily_digest(own_engine, own_settings, MONDAY.replace(day=18))["weekly"] == 0  # FSB owes nothing now
