"""The case page's meeting and document pickers: scheduling offers the deciding board's open meetings by date and
written procedure with its reply deadline; a vote recorded for an organisation offers its meeting or letter."""

from dataclasses import replace
from datetime import date

from sqlmodel import Session, col, select

from service.cases.situation import Situation
from service.persistence.case_tables import CaseDocument
from service.persistence.tables import Meeting, MeetingStatus
from service.ui.forms import FormField
from service.ui.i18n import date_time, long_date, translator
from workflows import calendar
from workflows.spec import Collect

WRITTEN = "written"  # the schedule picker's value for written procedure


def _day(meeting: Meeting, lang: str) -> str:
    return date_time(meeting.starts_at, lang)


def schedule_choices(session: Session, here: Situation, today: date, lang: str) -> FormField:
    """One picker: the deciding board's planned meetings whose agenda is still open, then written procedure."""
    meetings = session.exec(
        select(Meeting)
        .where(Meeting.board_id == here.case.deciding_board_id, Meeting.status == MeetingStatus.planned)
        .order_by(col(Meeting.starts_at))
    ).all()
    open_ = [m for m in meetings if calendar.agenda_cutoff(m.starts_at.astimezone(calendar.LOCAL).date()) >= today]
    cutoff = {m.id: calendar.agenda_cutoff(m.starts_at.astimezone(calendar.LOCAL).date()) for m in open_}
    t = translator(lang)
    labels = {str(m.id): f"{_day(m, lang)} ({t('agenda_closes')} {long_date(cutoff[m.id], lang)})" for m in open_}
    reply_by = calendar.add_working_days(today, calendar.WRITTEN_PROCEDURE_WORKING_DAYS)
    labels[WRITTEN] = f"{t('written_procedure_until')} {long_date(reply_by, lang)}"
    return FormField("meeting_id", "choice", "picker.schedule", True, tuple(labels), labels=labels)


def source_choices(session: Session, here: Situation, field: FormField, lang: str) -> FormField:
    """The vote's source: the meeting the round is on (by date), or one of the case's documents (by name)."""
    if field.name == "meeting_id":
        meeting = session.get(Meeting, here.round.meeting) if here.round.meeting else None
        labels = {str(meeting.id): _day(meeting, lang)} if meeting else {}
    else:
        documents = session.exec(select(CaseDocument).where(CaseDocument.case_id == here.case.id)).all()
        labels = {str(d.id): d.filename for d in documents}
    return replace(field, kind="choice", choices=tuple(labels), labels=labels, required=False)


def with_pickers(
    session: Session, here: Situation, forms: dict[str, list[FormField]], today: date, lang: str
) -> dict[str, list[FormField]]:
    """The action forms with ids replaced by pickers of dates and names."""
    for action in here.workflow.actions:
        fields = forms.get(action.name, [])
        if (
            action.dest is not None
            and action.dest == here.workflow.on_agenda
            and any(f.name == "meeting_id" for f in fields)
        ):
            forms[action.name] = [schedule_choices(session, here, today, lang)]
        elif action.collects in (Collect.vote, Collect.consent) or action.on_behalf:
            forms[action.name] = [
                source_choices(session, here, f, lang) if f.name in ("meeting_id", "document_id") else f for f in fields
            ]
    return forms


def meeting_days(session: Session, lang: str) -> dict[int, str]:
    """Every meeting's date and time by id, in the page's language: the case page shows meetings by date, never by id."""
    return {m.id: _day(m, lang) for m in session.exec(select(Meeting)) if m.id is not None}
