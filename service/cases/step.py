"""What one accepted action writes, run by its case type's machine around the state change (in this order):
checks that need the register, the case's new data, then the row, one history event, deadlines, effects and
notifications."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from service.authz import Actor
from service.cases import effects, notifications, sources, statements
from service.cases.deadlines import sync_deadlines
from service.cases.situation import ROUND_RULE, Situation
from service.forecasting import slip_events
from service.meetings import placing
from service.persistence.case_tables import Case
from service.stats.intervals import record_transition
from workflows.spec import Action


@dataclass
class Step:
    """One accepted action's writes, run by the case type's machine around the state change."""

    session: Session
    actor: Actor
    here: Situation
    action: Action
    action_data: dict[str, Any]
    comment: str
    key: str | None
    fingerprint: str | None  # of the request that carried the idempotency key
    now: datetime
    case: Case | None = None  # the row as written
    event_data: dict[str, Any] | None = None

    def prepare(self, dest: str) -> None:
        case, data = self.here.case, self.action_data
        if self.action.on_behalf:
            sources.check_source(self.session, case=case, action_data=data, now=self.now)
        elif data.get("meeting_id") is not None:
            sources.check_meeting(
                self.session, case_board_id=case.deciding_board_id, meeting_id=data["meeting_id"], now=self.now
            )
        new_data = effects.prepare(self.session, self.here, self.action, data, self.now)
        deciding = new_data.pop("_deciding_board_id", case.deciding_board_id)
        self.case = case.model_copy(
            update=dict(
                state=dest,
                version=case.version + 1,
                data=new_data,
                deciding_board_id=deciding,
                is_open=dest not in self.here.workflow.final_states,
            )
        )
        entered = dest != case.state and self.here.workflow.collects_in(dest)
        self.event_data = {**data, ROUND_RULE: self.here.setting.decision_rule} if entered else data
        if self.action.postpones and self.here.round.meeting is not None:  # the meeting missed, kept in the history
            missed = slip_events.on_postponed(self.session, self.here, self.case, self.now)
            self.event_data = {**self.event_data, slip_events.SLIP: missed} if missed else self.event_data

    def write(self, state: str) -> None:
        old, new = self.here.case, self.case
        assert new is not None and old.id is not None
        connection = self.session.connection()
        row = dict(
            state=new.state, version=new.version, data=new.data, deciding_board_id=new.deciding_board_id, is_open=new.is_open
        )
        if connection.execute(statements.UPDATE_CASE, {"b_id": old.id, "b_version": old.version, **row}).rowcount != 1:
            raise Overtaken()
        event_id = connection.execute(
            statements.INSERT_EVENT,
            dict(
                case_id=old.id,
                seq=new.version,
                at=self.now,
                actor_id=self.actor.user_id,
                acting_for_id=sources.organisation_id(self.session, self.action_data.get("organisation")),
                action=self.action.name,
                from_state=old.state,
                to_state=new.state,
                comment=self.comment,
                data=self.event_data,
                idempotency_key=self.key,
                request_fingerprint=self.fingerprint,
            ),
        ).scalar_one()
        record_transition(
            connection,
            case_id=old.id,
            case_type=old.case_type,
            old_state=old.state,
            new_state=new.state,
            at=self.now,
            old_board_id=old.deciding_board_id,
            new_board_id=new.deciding_board_id,
        )
        if new.state != old.state:
            sync_deadlines(
                self.session,
                self.here.workflow,
                case_id=old.id,
                old_state=old.state,
                state=new.state,
                data=new.data,
                event_id=event_id,
                now=self.now,
                abandoned=self.action.abandons,
                flags=self.action_data,
            )
        effects.apply(self.session, self.here, self.action, self.action_data, event_id, self.now)
        placing.after_action(
            self.session,
            here=self.here,
            action=self.action,
            case=new,
            action_data=self.action_data,
            actor_id=self.actor.user_id,
            now=self.now,
        )
        notifications.enqueue(self.session, self.action, case_id=old.id, event_id=event_id, now=self.now)


class Overtaken(Exception):
    """Another writer changed the case between reading and writing it."""
