"""From an action's outbox row to a mail in a real SMTP server's hands (or kept, without SMTP), each mail once."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

from pydantic import SecretStr
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.config import Settings
from service.notify import jobs
from service.persistence.case_tables import Case
from service.persistence.notify_tables import Mail, Notice
from service.persistence.tables import User
from tests.builders import open_, play
from tests.smtp_sink import smtp_sink

LEADER = "sara.norgaard"
CONTENT = {"kind": "content", "change_description": "Lektiecafé i stedet for ungdomsklub"}
MONDAY = datetime(2016, 4, 4, 8, 0, tzinfo=UTC)  # 10:00 in Copenhagen


def submitted(engine: Engine, now: datetime = MONDAY) -> Case:
    """A change request submitted (the secretariat is notified), committed."""
    with Session(engine) as session:
        case = open_(session, "change_request", by=LEADER, data=CONTENT, now=now)
        return play(session, case, [(LEADER, "submit", None)], now=now)


def prefer(engine: Engine, username: str, **choices: object) -> User:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        for name, value in choices.items():
            setattr(user, name, value)
        session.add(user)
        session.commit()
        session.refresh(user)
        return user


def mails_about(engine: Engine, case: Case) -> list[Mail]:
    with Session(engine) as session:
        notices = select(Notice.mail_id).where(Notice.case_id == case.id)
        return list(session.exec(select(Mail).where(col(Mail.id).in_(notices)).order_by(col(Mail.id))))


def with_smtp(settings: Settings, port: int) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False})


def test_events_wait_for_the_daily_digest_and_are_kept_without_smtp(own_engine: Engine, own_settings: Settings) -> None:
    case = submitted(own_engine)
    pumped = jobs.pump(own_engine, own_settings, MONDAY + timedelta(minutes=1))
    assert pumped["notices"] >= 3 and pumped["failed"] == 0
    assert mails_about(own_engine, case) == []  # everyone is on the daily digest by default
    assert jobs.pump(own_engine, own_settings, MONDAY + timedelta(minutes=2))["notices"] == 0  # relayed once
    tuesday_morning = datetime(2016, 4, 5, 5, 0, tzinfo=UTC)  # 07:00 in Copenhagen
    digests = jobs.daily_digest(own_engine, own_settings, tuesday_morning)
    assert digests["digests"] >= 3 and digests["stored"] == digests["digests"]
    mails = mails_about(own_engine, case)
    assert {m.kind for m in mails} == {"digest"} and all(m.stored and m.sent_at for m in mails)
    sara = next(m for m in mails if m.to_address.startswith("sara.bech"))
    assert sara.subject.startswith("Dagens overblik") and case.reference in sara.body_text
    assert f"/sager/{case.id}" in sara.body_html and "du arbejder i sekretariatet" in sara.body_text
    assert LEADER not in {m.to_address.split("@")[0] for m in mails}  # who acted is not told of it


def test_the_digest_is_quiet_on_a_holiday(own_engine: Engine, own_settings: Settings) -> None:
    easter_monday = datetime(2016, 3, 28, 5, 0, tzinfo=UTC)
    assert jobs.daily_digest(own_engine, own_settings, easter_monday) == {"digests": 0}


def test_a_person_who_wants_mails_at_once_gets_one_by_smtp(own_engine: Engine, own_settings: Settings) -> None:
    prefer(own_engine, "jakob.vinther", daily_digest=False)
    prefer(own_engine, "camilla.juhl", daily_digest=True, immediate_topics=["submit"], language="en")
    with smtp_sink() as (sink, port):
        case = submitted(own_engine)
        result = jobs.pump(own_engine, with_smtp(own_settings, port), MONDAY + timedelta(minutes=1))
        assert result["sent"] == 2 and result["failed"] == 0
        sink.wait_for(2)
    by_address = {m["To"].split("@")[0]: m for m in sink.received}
    assert set(by_address) == {"jakob.vinther", "camilla.juhl"}
    danish, english = by_address["jakob.vinther"], by_address["camilla.juhl"]
    assert "Nyt på sagen: Indsend" in danish["Subject"] and case.reference in danish["Subject"]
    assert "News on the case: Submit" in english["Subject"]
    text = danish.get_body(("plain",)).get_content()
    html = danish.get_body(("html",)).get_content()
    assert "Du får denne mail, fordi du arbejder i sekretariatet" in text and f"/sager/{case.id}" in html
    stored = {m.message_id: m for m in mails_about(own_engine, case)}
    assert set(sink.ids()) == set(stored) and all(m.sent_at and not m.stored for m in stored.values())
    assert jobs.pump(own_engine, with_smtp(own_settings, port), MONDAY + timedelta(minutes=5))["sent"] == 0


def test_smtp_refusals_and_an_outage_are_retried_with_backoff_and_nothing_doubles(
    own_engine: Engine, own_settings: Settings
) -> None:
    prefer(own_engine, "jakob.vinther", daily_digest=False)
    prefer(own_engine, "camilla.juhl", daily_digest=False, immediate_topics=[], language="da")
    case = submitted(own_engine)
    down = with_smtp(own_settings, 1)  # nothing listens on port 1: the relay is down
    first = jobs.pump(own_engine, down, MONDAY + timedelta(minutes=1))
    assert first["sent"] == 0 and first["failed"] >= 2
    pending = mails_about(own_engine, case)
    assert all(m.sent_at is None and m.last_error and m.attempts == 1 for m in pending)
    assert all(m.not_before == MONDAY + timedelta(minutes=1, seconds=30) for m in pending)  # the first backoff
    with smtp_sink() as (sink, port):
        up = with_smtp(own_settings, port)
        assert jobs.pump(own_engine, up, MONDAY + timedelta(minutes=1, seconds=10))["sent"] == 0  # still backing off
        sink.refuse = 1  # then a 451 once: the relay is busy
        busy = jobs.pump(own_engine, up, MONDAY + timedelta(minutes=2))
        assert busy["failed"] == len(pending)
        later = jobs.pump(own_engine, up, MONDAY + timedelta(minutes=5))
        assert later["sent"] == len(pending)
        assert jobs.pump(own_engine, up, MONDAY + timedelta(minutes=30))["sent"] == 0
    sent = mails_about(own_engine, case)
    assert sorted(sink.ids()) == sorted(m.message_id for m in sent)  # each once
    assert all(m.sent_at and m.attempts == 3 for m in sent)


def test_a_sent_agenda_reaches_each_member_at_once_with_a_link_to_the_meeting(
    own_engine: Engine, own_settings: Settings
) -> None:
    from service.persistence.meeting_tables import MeetingMessage
    from service.persistence.tables import Board, Meeting

    with Session(own_engine) as session:
        board = session.exec(select(Board).where(Board.code == "BB-D5")).one()
        meeting = session.exec(select(Meeting).where(Meeting.board_id == board.id).order_by(col(Meeting.starts_at))).first()
        member = session.exec(select(User).where(User.username == "eva.holm")).one()
        assert meeting is not None and member.daily_digest  # she reads digests, but an agenda cannot wait
        session.add(
            MeetingMessage(
                meeting_id=meeting.id,
                topic="agenda_sent",
                audience="board_member",
                recipient_id=member.id,
                data={"page": f"/moeder/{meeting.id}"},
                created_at=MONDAY,
            )
        )
        session.commit()
        meeting_id = meeting.id
    with smtp_sink() as (sink, port):
        jobs.pump(own_engine, with_smtp(own_settings, port), MONDAY + timedelta(minutes=1))
        jobs.pump(own_engine, with_smtp(own_settings, port), MONDAY + timedelta(minutes=2))
    agendas = [m for m in sink.received if "Dagsorden" in m["Subject"]]
    assert len(agendas) == 1 and agendas[0]["To"].startswith("eva.holm")
    [pdf] = [part for part in agendas[0].iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename().startswith("dagsorden-") and pdf.get_content().startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.get_content())).pages)
    assert "Dagsorden" in text and "Bydelsbestyrelse" in text
    assert (
        "Bydelsbestyrelse" in agendas[0]["Subject"]
        and f"/moeder/{meeting_id}" in agendas[0].get_body(("plain",)).get_content()
    )


def test_the_relay_logs_in_when_configured_and_a_wrong_password_keeps_the_mail(
    own_engine: Engine, own_settings: Settings
) -> None:
    prefer(own_engine, "jakob.vinther", daily_digest=False)
    case = submitted(own_engine, MONDAY + timedelta(hours=2))
    with smtp_sink(login=("boligsocial", "rigtig-adgangskode-2016")) as (sink, port):
        wrong = with_smtp(own_settings, port).model_copy(
            update={"smtp_user": "boligsocial", "smtp_password": SecretStr("forkert-adgangskode-2016")}
        )
        assert jobs.pump(own_engine, wrong, MONDAY + timedelta(hours=2, minutes=1))["sent"] == 0
        [kept] = [m for m in mails_about(own_engine, case) if m.to_address.startswith("jakob.vinther")]
        assert kept.sent_at is None and "Authentication" in (kept.last_error or "")
        right = wrong.model_copy(update={"smtp_password": SecretStr("rigtig-adgangskode-2016")})
        assert jobs.pump(own_engine, right, MONDAY + timedelta(hours=3))["sent"] >= 1
    assert kept.message_id in sink.ids()
