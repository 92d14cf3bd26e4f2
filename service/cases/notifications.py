"""Outbox rows for an action's notifications, written in the action's transaction; the relay
(`service.notify.fanout`) resolves each audience to people after the commit."""

from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session

from service.persistence.case_tables import OUTBOX
from workflows.spec import Action


def enqueue(session: Session, action: Action, *, case_id: int, event_id: int, now: datetime) -> None:
    """One outbox row per audience the action notifies; recipients are resolved when the row is delivered."""
    if action.notifies:
        rows = [
            dict(case_id=case_id, event_id=event_id, topic=action.name, audience=a, created_at=now) for a in action.notifies
        ]
        session.connection().execute(insert(OUTBOX), rows)
