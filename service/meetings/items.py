"""The secretariat edits an undecided agenda item (kind, indstilling, sagsfremstilling, what is published) or takes
it off the agenda (the case goes back to waiting for a meeting through its own postpone action)."""

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session

from service.authz import Actor
from service.cases import apply_action, load
from service.cases.visibility import visible
from service.errors import Invalid
from service.meetings import access
from service.meetings.decisions import item_of
from service.meetings.schemas import ItemUpdate
from service.persistence.db import write_transaction
from service.persistence.meeting_tables import AgendaItem, ItemKind

ITEMS = AgendaItem.__table__  # type: ignore[attr-defined]


def update_item(*, session: Session, actor: Actor, meeting_id: int, case_id: int, body: ItemUpdate) -> None:
    """Edit an undecided item; closing it (public: false) or some of its bilag leaves them out of the public version."""
    access.require_manager(actor)
    write_transaction(session)
    meeting = access.get_meeting(session, meeting_id)
    access.check_version(meeting, body.expected_version)
    item = item_of(session, meeting, case_id)
    if body.kind is not None and ItemKind.information in (body.kind, item.kind) and body.kind != item.kind:
        raise Invalid(
            "An information item stays one: a decision or discussion item can only become the other.",
            [{"field": "kind", "message": "cannot change to or from information"}],
            da="Et orienteringspunkt forbliver et: et beslutnings- eller drøftelsespunkt kan kun blive det andet.",
        )
    changes = body.model_dump(exclude_unset=True, exclude={"expected_version", "closed_documents"})
    for name, value in changes.items():
        setattr(item, name, value)
    if body.closed_documents is not None:
        closed = set(body.closed_documents)
        item.attachments = [{**a, "public": a["document_id"] not in closed} for a in item.attachments]
    session.add(item)
    session.flush()
    access.bump(session, meeting)
    session.commit()


def remove_item(
    *, session: Session, actor: Actor, meeting_id: int, case_id: int, expected_version: int, now: datetime
) -> None:
    """Take an undecided item off the agenda; a case scheduled on this meeting is postponed through its engine."""
    access.require_manager(actor)
    meeting = access.get_meeting(session, meeting_id)
    access.check_version(meeting, expected_version)
    item = item_of(session, meeting, case_id)
    here = load(session, actor, case_id, visible=visible(session, actor))
    on_this = here.case.state == here.workflow.on_agenda and here.round.meeting == meeting_id
    postpone = next((a for a in here.workflow.actions_from(here.case.state) if a.postpones), None)

    def drop(_: object = None) -> None:
        session.connection().execute(delete(ITEMS).where(ITEMS.c.id == item.id))
        access.bump(session, meeting)

    if item.kind == ItemKind.information or not on_this or postpone is None:
        write_transaction(session)
        drop()
        session.commit()
        return
    apply_action(
        session=session,
        actor=actor,
        case_id=case_id,
        action=postpone.name,
        expected_version=here.case.version,
        comment=f"Taget af dagsordenen til mødet {access.when(meeting)}.",
        now=now,
        respond=drop,
    )
