"""Where an organisation's act recorded by the secretariat comes from, and the meeting a case is put on.

Both need the register, so they are checked in the action's step, after the guards passed (domain.md §3.1, §5).
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from service.errors import Forbidden, Invalid
from service.persistence.case_tables import Case, CaseDocument
from service.persistence.tables import Meeting, MeetingStatus, Organisation
from workflows import calendar

LOCAL = calendar.LOCAL


def organisation_id(session: Session, code: str | None) -> int | None:
    """The id of the organisation an action names (the event records whom it was done for)."""
    if code is None:
        return None
    return session.exec(select(Organisation.id).where(Organisation.code == code)).first()


def check_source(session: Session, *, case: Case, action_data: dict[str, Any], now: datetime) -> None:
    """A vote or consent's named source exists: a started meeting of the deciding board, or this case's document."""
    if (meeting_id := action_data.get("meeting_id")) is not None:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None or meeting.board_id != case.deciding_board_id:
            raise Invalid(
                f"Meeting {meeting_id} is not a meeting of the board that decides this case.",
                [{"field": "data.meeting_id", "message": "not a meeting of the deciding board"}],
                da=f"Møde {meeting_id} er ikke et møde i den bestyrelse, der beslutter sagen.",
            )
        if meeting.starts_at > now:
            raise Forbidden(
                f"You may not do this: the meeting on {meeting.starts_at.astimezone(LOCAL):%d.%m.%Y %H:%M} has not "
                "started, so no vote can have been cast there yet.",
                da=f"Du må ikke gøre dette: mødet {meeting.starts_at.astimezone(LOCAL):%d.%m.%Y kl. %H:%M} er ikke "
                "begyndt, så der kan ikke være afgivet stemmer der endnu.",
            )
    if (document_id := action_data.get("document_id")) is not None:
        found = session.exec(
            select(CaseDocument.id).where(CaseDocument.id == document_id, CaseDocument.case_id == case.id)
        ).first()
        if found is None:
            raise Invalid(
                f"Document {document_id} is not attached to this case; attach the organisation's letter first.",
                [{"field": "data.document_id", "message": "not a document of this case"}],
                da=f"Dokument {document_id} er ikke vedhæftet sagen; vedhæft organisationens brev først.",
            )


def check_meeting(session: Session, *, case_board_id: int | None, meeting_id: int, now: datetime) -> None:
    """A case can be put on a meeting of its deciding board whose agenda has not closed yet."""
    meeting = session.get(Meeting, meeting_id)
    field = [{"field": "data.meeting_id", "message": "not a meeting this case can be put on"}]
    if meeting is None or meeting.board_id != case_board_id:
        raise Invalid(
            f"Meeting {meeting_id} is not a meeting of the board that decides this case.",
            field,
            da=f"Møde {meeting_id} er ikke et møde i den bestyrelse, der beslutter sagen.",
        )
    meeting_day = meeting.starts_at.astimezone(LOCAL).date()
    if meeting.status == MeetingStatus.cancelled:
        raise Invalid(f"The meeting on {meeting_day} is cancelled.", field, da=f"Mødet {meeting_day:%d.%m.%Y} er aflyst.")
    cutoff = calendar.agenda_cutoff(meeting_day)
    if now.astimezone(LOCAL).date() > cutoff:
        raise Invalid(
            f"The agenda of the meeting on {meeting_day} closed on {cutoff}.",
            field,
            da=f"Dagsordenen til mødet {meeting_day:%d.%m.%Y} lukkede {cutoff:%d.%m.%Y}.",
        )
