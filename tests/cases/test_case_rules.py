"""The governance rules of domain.md §3–4 as one table per case type: (given, action, actor, data) → state | refusal.

Each row opens a case, drives it through the real engine to the named situation, then takes one step. An
accepted step must write exactly one history event (recording whom it was done for); a refused one must leave
no trace at all. Acting for a housing organisation comes from the register only (§3.1): a designation (the demo's
`role: housing_officer`) or a seat on the central or a district board representing it, never employment.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from service.cases.visibility import visible
from service.errors import Conflict, Invalid, ServiceError
from service.persistence.case_tables import Case
from service.persistence.tables import Meeting, Membership, Organisation, Seat, User
from tests.builders import (
    NOW,
    Given,
    Letter,
    MeetingOf,
    Step,
    actor,
    board_id,
    case_id,
    events,
    meeting_id,
    move,
    open_,
    reach,
    resolve,
    seat,
    step,
    trace,
    user,
)
from tests.builders import SECRETARIAT as S
from workflows.calendar import LOCAL

# The demo register around HP-10 "Husum for Alle": parties FSB and AAB, deciding board BB-D5.
LEADER = "sara.norgaard"  # project leader of HP-10 (not of HP-09)
FSB_OFFICER, AAB_OFFICER = "gustav.lind", "ella.kvist"
VOTER = {"FSB": "eva.holm", "AAB": "bo.iversen", "KK": "henrik.bay"}  # their seats on BB-D5
NOT_A_PARTY = "niels.ravn"  # sits on BB-D5 for SAB, which is not a party of HP-10
OTHER_LEADER = "noah.skov"  # 3B, project leader of HP-01 and HP-11
RESIDENT = "hassan.omar"  # resident in HP-10's local group
FSB_EMPLOYEE = "emil.bruun"  # employed by FSB, no designation: leads HP-09 and HP-04, nothing on HP-10
# HP-09 "Tingbjerg/Utterslevhuse": parties FSB and SAB; SAB is run by the administrator KAB, decided by BB-D5.
SAB_MEMBER = "niels.ravn"  # employed by KAB, sits on BB-D5 for SAB
SAB_AKB_CENTRAL = "sofie.brandt"  # employed by KAB, sits on the central board for SAB and AKB
KAB_EMPLOYEE = "viktor.hauge"  # employed by KAB (SAB's and AKB's administrator), no designation, leads HP-06/HP-12
AKB_MEMBER = "per.winther"  # employed by KAB, sits on BB-D2 and BB-D4 for AKB only
STARTED = MeetingOf("BB-D5", started=True)  # BB-D5's meeting of 16 March 2016: before NOW, but no round's meeting
JUNE = MeetingOf("BB-D5")  # BB-D5's meeting of 15 June 2016 (14:00 in Copenhagen), the first after NOW
AT_JUNE = datetime(2016, 6, 15, 13, 0, tzinfo=UTC)  # during that meeting

WITHIN = {
    "kind": "economic",
    "change_description": "Flyt midler i UB fra 2017 til 2016",
    "budget_moves": [move("UB 2017 LBF", "UB 2016 LBF", 150_000)],
}
BETWEEN = {
    "kind": "economic",
    "change_description": "Flyt midler fra KP til FF",
    "budget_moves": [move("KP 2017 LBF", "FF 2017 LBF", 300_000)],
}
ONE_SIDED = {
    "kind": "economic",
    "change_description": "Tilfør midler",
    "budget_moves": [move(None, "FF 2018 HOUSING", 50_000)],
}
UNKNOWN_TO_AREA = {"kind": "economic", "change_description": "x", "budget_moves": [move("UB 2017 LBF", "XY 2017 LBF", 1)]}
UNKNOWN_FROM_AREA = {"kind": "economic", "change_description": "x", "budget_moves": [move("QQ 2017 LBF", "UB 2017 LBF", 1)]}
CONTENT = {"kind": "content", "change_description": "Lektiecafé i stedet for ungdomsklub"}


def ballot(org: str, vote: str = "approve", **source: Any) -> dict[str, Any]:
    """A vote's data; where the secretariat records it, with its source (meeting_id or document_id)."""
    return {"organisation": org, "vote": vote, **source}


def votes(**cast: str) -> list[Step]:
    """Each party's board member casts their organisation's vote."""
    return [(VOTER[org], "vote", {"organisation": org, "vote": vote}) for org, vote in cast.items()]


@dataclass(frozen=True)
class Rule:
    given: str
    action: str
    by: str
    data: dict[str, Any] | None
    expect: str | int  # the new state, or the status of the refusal
    field: str | None = None  # the field a 422 must name
    now: datetime = NOW  # when the step is taken


def rows(case_type: str, table: list[Rule]) -> list[Any]:
    def name(r: Rule) -> str:
        data = f" {r.data}" if r.data else ""
        at = f" at {r.now:%Y-%m-%d %H:%M}" if r.now != NOW else ""
        return f"{r.given} | {r.action}{data} by {r.by}{at} -> {r.expect}"

    return [pytest.param(case_type, r, id=name(r)) for r in table]


def sees(session: Session, username: str, case: Case, now: datetime) -> bool:
    """Whether the user may see the case at all (on the day of the step)."""
    found = session.exec(
        select(Case.id).where(Case.id == case.id, visible(session, actor(session, username, now.date())))
    ).first()
    return found is not None


def check(session: Session, given: Given, case_type: str, rule: Rule) -> None:
    """Reach the situation, take the rule's step, and hold the engine to the outcome the rule states."""
    case = reach(session, case_type, given)
    assert case.id is not None
    before = trace(session, case.id)
    data = resolve(session, rule.data, case)
    if isinstance(rule.expect, str):
        step(session, case, rule.by, rule.action, data, now=rule.now)
        after = trace(session, case.id)
        assert after.state == rule.expect
        assert after.version == before.version + 1 == after.events
        last = events(session, case.id)[-1]
        user_id = session.exec(select(User.id).where(User.username == rule.by)).one()
        assert (last.action, last.from_state, last.to_state, last.seq, last.actor_id) == (
            rule.action,
            before.state,
            rule.expect,
            after.version,
            user_id,
        )
        if data and "organisation" in data:  # done for the organisation named, recorded by the actor, with its source
            org = session.exec(select(Organisation.id).where(Organisation.code == data["organisation"])).one()
            assert last.acting_for_id == org
            assert {k: last.data.get(k) for k in ("meeting_id", "document_id") if k in data} == {
                k: data[k] for k in ("meeting_id", "document_id") if k in data
            }
        return
    with pytest.raises(ServiceError) as refused:
        step(session, case, rule.by, rule.action, data, now=rule.now)
    # Not allowed (403) to someone who cannot even see the case is 404: invisible and unknown look alike (§3).
    expect = 404 if rule.expect == 403 and not sees(session, rule.by, case, rule.now) else rule.expect
    assert refused.value.status == expect, refused.value.detail
    if isinstance(refused.value, Invalid):
        assert rule.field in [e["field"] for e in refused.value.extra["errors"]], refused.value.extra
    if isinstance(refused.value, Conflict):
        assert (refused.value.extra["state"], refused.value.extra["version"]) == (before.state, before.version)
    assert trace(session, case.id) == before, "a refused action must leave no trace"


@dataclass(frozen=True)
class Opening:
    case_type: str
    by: str
    data: dict[str, Any] | None
    expect: str | int  # the initial state, or the status of the refusal
    plan: str | None = "HP-10"
    board: str | None = None
    field: str | None = None


OPENING = [
    Opening("change_request", LEADER, CONTENT, "draft"),
    Opening("change_request", FSB_OFFICER, CONTENT, "draft"),
    Opening("change_request", AAB_OFFICER, CONTENT, "draft"),
    Opening("change_request", "camilla.juhl", CONTENT, "draft"),
    Opening("change_request", FSB_EMPLOYEE, CONTENT, "draft", plan="HP-09"),  # as HP-09's project leader
    # Issue 7 point 1: she leads HP-10, not HP-09; working for FSB (a party to HP-09) no longer lets her act for
    # it, nor does her seat in HP-10's local group (§3.1 "a project leader acts for the plans they are assigned to").
    Opening("change_request", LEADER, CONTENT, 403, plan="HP-09"),
    Opening("change_request", FSB_EMPLOYEE, CONTENT, 403),  # an FSB employee without a designation, on HP-10
    Opening("change_request", FSB_OFFICER, CONTENT, "draft", plan="HP-09"),  # designated for FSB: every FSB plan
    Opening("change_request", AAB_OFFICER, CONTENT, 403, plan="HP-09"),  # AAB is no party to HP-09
    # a party run by an administrator: the administrator's staff act for it only when designated or seated for it
    Opening("change_request", SAB_MEMBER, CONTENT, "draft", plan="HP-09"),
    Opening("change_request", SAB_AKB_CENTRAL, CONTENT, "draft", plan="HP-09"),
    Opening("change_request", SAB_AKB_CENTRAL, CONTENT, "draft", plan="HP-06"),  # HP-06: AKB only
    Opening("change_request", KAB_EMPLOYEE, CONTENT, 403, plan="HP-09"),
    Opening("change_request", KAB_EMPLOYEE, CONTENT, "draft", plan="HP-06"),  # as HP-06's project leader
    Opening("change_request", AKB_MEMBER, CONTENT, 403, plan="HP-09"),  # seated for AKB, not for SAB
    Opening("change_request", AKB_MEMBER, CONTENT, "draft", plan="HP-12"),  # HP-12: AKB
    Opening("change_request", OTHER_LEADER, CONTENT, 403),
    Opening("change_request", NOT_A_PARTY, CONTENT, 403),
    Opening("change_request", "henrik.bay", CONTENT, 403),
    Opening("change_request", RESIDENT, CONTENT, 403),
    Opening("change_request", "analytiker", CONTENT, 403),
    Opening("change_request", LEADER, UNKNOWN_TO_AREA, 422, field="data.budget_moves.0.to_area"),
    Opening("change_request", LEADER, UNKNOWN_FROM_AREA, 422, field="data.budget_moves.0.from_area"),
    Opening("change_request", LEADER, {"kind": "redecoration"}, 422, field="data.kind"),
    Opening("change_request", LEADER, CONTENT, 422, plan=None, field="plan_id"),
    Opening("no_such_type", S, CONTENT, 422, field="case_type"),
    Opening("strategic_agreement_change", LEADER, {"change_description": "Ny delaftale"}, "draft"),
    Opening("strategic_agreement_change", "henrik.bay", {"change_description": "Ny delaftale"}, 403),
    Opening("charter", S, {"decision_rule": "majority"}, "draft", plan=None, board="BB-D5"),
    Opening("charter", "eva.holm", {"decision_rule": "majority"}, 403, plan=None, board="BB-D5"),
    Opening("charter", S, {}, 422, plan=None, board="CENTRAL", field="board_id"),
    Opening("lbf_submission", S, {"report": "evaluation", "period": "2016", "due_date": "2017-01-31"}, "scheduled"),
    Opening("lbf_submission", FSB_OFFICER, {"report": "evaluation", "period": "2016", "due_date": "2017-01-31"}, 403),
    Opening("lbf_submission", S, {"report": "evaluation", "period": "2016"}, 422, field="data.due_date"),
    Opening("competence_transfer", FSB_OFFICER, {}, "requested"),
    Opening("competence_transfer", NOT_A_PARTY, {}, 403),
    Opening("competence_transfer", FSB_EMPLOYEE, {}, 403),
    Opening("competence_transfer", SAB_MEMBER, {}, "requested", plan="HP-09"),
    Opening("competence_transfer", KAB_EMPLOYEE, {}, 403, plan="HP-09"),
    Opening("competence_transfer", FSB_OFFICER, {"direction": "to_district"}, 409),  # HP-10 is decided in D5 already
]


@pytest.mark.parametrize(
    "rule", [pytest.param(o, id=f"{o.case_type} on {o.plan or o.board} by {o.by} -> {o.expect}") for o in OPENING]
)
def test_who_may_open_a_case(session: Session, rule: Opening) -> None:
    if isinstance(rule.expect, str):
        case = open_(session, rule.case_type, by=rule.by, plan=rule.plan, board=rule.board, data=rule.data)
        assert case.id is not None
        assert (case.state, case.version, case.is_open) == (rule.expect, 1, True)
        assert case.reference == f"BS-{NOW.year}-{case.id:04d}"
        [opened] = events(session, case.id)
        assert (opened.action, opened.from_state, opened.to_state, opened.seq) == ("open", None, rule.expect, 1)
        return
    cases = session.exec(select(func.count()).select_from(Case)).one()
    with pytest.raises(ServiceError) as refused:
        open_(session, rule.case_type, by=rule.by, plan=rule.plan, board=rule.board, data=rule.data)
    assert refused.value.status == rule.expect, refused.value.detail
    if rule.field:
        assert rule.field in [e["field"] for e in refused.value.extra["errors"]], refused.value.extra
    assert session.exec(select(func.count()).select_from(Case)).one() == cases


# -- change_request (§4.1) ----------------------------------------------------------------------------------------

CR_DRAFT = Given(data=WITHIN, by=LEADER)
CR_SUBMITTED = CR_DRAFT.then((LEADER, "submit", None))
CR_SCREENING = CR_SUBMITTED.then((S, "start_screening", None))
CR_READY = CR_SCREENING.then((S, "mark_ready", {}))
CR_SCHEDULED = CR_READY.then((S, "schedule", {"written_procedure": True}))
CR_APPROVED = CR_SCHEDULED.then(*votes(FSB="approve", AAB="approve"), (S, "approve", None))
CR_BETWEEN_APPROVED = Given(CR_APPROVED.steps, BETWEEN, LEADER)
CR_AWAITING_LBF = CR_BETWEEN_APPROVED.then((S, "send_to_lbf", None))
CR_GIVEN = {
    "draft": CR_DRAFT,
    "draft, content": Given(data=CONTENT, by=LEADER),
    "draft on HP-09": Given(data=CONTENT, by=FSB_EMPLOYEE, plan="HP-09"),  # emil.bruun leads HP-09
    "scheduled on HP-09": Given(((FSB_EMPLOYEE, "submit", None), *CR_SCHEDULED.steps[1:]), CONTENT, FSB_EMPLOYEE, "HP-09"),
    "draft, one-sided move": Given(data=ONE_SIDED, by=LEADER),
    "draft, one-sided move changing the total": Given(data=ONE_SIDED | {"changes_total": True}, by=LEADER),
    "draft, economic without moves": Given(data={"kind": "economic", "change_description": "Ny fordeling"}, by=LEADER),
    "draft, no description": Given(data={"kind": "content"}, by=LEADER),
    "submitted": CR_SUBMITTED,
    "screening": CR_SCREENING,
    "consultation": CR_SCREENING.then((S, "start_consultation", {})),
    "ready_for_decision": CR_READY,
    "scheduled": CR_SCHEDULED,
    "scheduled at the June meeting": CR_READY.then((S, "schedule", {"meeting_id": JUNE})),
    "scheduled, FSB approved": CR_SCHEDULED.then(*votes(FSB="approve")),
    "scheduled, both approved": CR_SCHEDULED.then(*votes(FSB="approve", AAB="approve")),
    "scheduled, FSB approved, AAB rejected": CR_SCHEDULED.then(*votes(FSB="approve", AAB="reject")),
    "scheduled, FSB approved, AAB abstained": CR_SCHEDULED.then(*votes(FSB="approve", AAB="abstain")),
    "scheduled, both abstained": CR_SCHEDULED.then(*votes(FSB="abstain", AAB="abstain")),
    "scheduled, AAB rejected then approved": CR_SCHEDULED.then(*votes(FSB="approve", AAB="reject"), *votes(AAB="approve")),
    "scheduled again after postponing a full vote": CR_SCHEDULED.then(
        *votes(FSB="approve", AAB="approve"), (S, "postpone", None), (S, "schedule", {"written_procedure": True})
    ),
    "returned": CR_SCHEDULED.then((S, "send_back", None)),
    "approved, within an area": CR_APPROVED,
    "approved, between areas": CR_BETWEEN_APPROVED,
    "approved, LBF forced at screening": CR_SCREENING.then(
        (S, "mark_ready", {"lbf_approval_needed": True}),
        (S, "schedule", {"written_procedure": True}),
        *votes(FSB="approve", AAB="approve"),
        (S, "approve", None),
    ),
    "awaiting_lbf": CR_AWAITING_LBF,
    "lbf_queried": CR_AWAITING_LBF.then((S, "record_lbf_query", {})),
    "lbf_approved": CR_AWAITING_LBF.then((S, "record_lbf_approval", {"lbf_reference": "LBF-2016-17"})),
    "implemented": CR_APPROVED.then((S, "implement", None)),
    "closed": CR_APPROVED.then((S, "implement", None), (S, "close", None)),
}

CHANGE_REQUEST = [
    # drafting: the plan's project leader, a party organisation's officer, the secretariat; nobody else
    Rule("draft", "submit", LEADER, None, "submitted"),
    Rule("draft", "submit", FSB_OFFICER, None, "submitted"),
    Rule("draft", "submit", AAB_OFFICER, None, "submitted"),
    Rule("draft", "submit", "camilla.juhl", None, "submitted"),
    Rule("draft", "submit", OTHER_LEADER, None, 403),
    Rule("draft on HP-09", "submit", FSB_EMPLOYEE, None, "submitted"),
    Rule("draft on HP-09", "submit", LEADER, None, 403),  # leads HP-10 only; employment by FSB gives nothing
    Rule("draft on HP-09", "submit", FSB_OFFICER, None, "submitted"),
    Rule("draft on HP-09", "submit", SAB_MEMBER, None, "submitted"),
    Rule("draft on HP-09", "submit", SAB_AKB_CENTRAL, None, "submitted"),
    Rule("draft on HP-09", "submit", KAB_EMPLOYEE, None, 403),
    Rule("draft", "submit", FSB_EMPLOYEE, None, 403),
    Rule("draft", "submit", NOT_A_PARTY, None, 403),
    Rule("draft", "submit", "henrik.bay", None, 403),
    Rule("draft", "submit", RESIDENT, None, 403),
    Rule("draft", "edit", LEADER, {"change_description": "Præciseret"}, "draft"),
    Rule("draft", "edit", OTHER_LEADER, {"change_description": "Præciseret"}, 403),
    Rule(
        "draft",
        "edit",
        LEADER,
        {"budget_moves": [move("UB 2017 LBF", "ZZ 2017 LBF", 1)]},
        422,
        "data.budget_moves.0.to_area",
    ),
    Rule(
        "draft",
        "edit",
        LEADER,
        {"budget_moves": [move("UB 2017 LBF", "ub 2017 LBF", 1)]},
        422,
        "data.budget_moves.0.to_area",
    ),
    Rule("draft", "edit", LEADER, {"status": "approved"}, 422, "data.status"),
    # an economic change must balance unless it says it changes the total; it must be complete
    Rule("draft, one-sided move", "submit", LEADER, None, 422, "data.budget_moves"),
    Rule("draft, one-sided move changing the total", "submit", LEADER, None, "submitted"),
    Rule("draft, no description", "submit", LEADER, None, 422, "data.change_description"),
    Rule("draft, economic without moves", "submit", LEADER, None, 422, "data.budget_moves"),
    Rule("draft, content", "submit", LEADER, None, "submitted"),
    Rule("draft", "start_screening", S, None, 409),
    Rule("draft", "approve", S, None, 409),
    # screening and consultation are the secretariat's; the local group answers a consultation
    Rule("submitted", "start_screening", S, None, "screening"),
    Rule("submitted", "start_screening", "jakob.vinther", None, "screening"),
    Rule("submitted", "start_screening", LEADER, None, 403),
    Rule("submitted", "submit", LEADER, None, 409),
    Rule("screening", "mark_ready", S, {}, "ready_for_decision"),
    Rule("screening", "mark_ready", S, {"material": "very"}, 422, "data.material"),
    Rule("screening", "start_consultation", S, {}, "consultation"),
    Rule("screening", "start_consultation", LEADER, {}, 403),
    Rule("consultation", "respond", RESIDENT, {"text": "Vi støtter ændringen"}, "consultation"),
    Rule("consultation", "respond", "eva.holm", {"text": "Enig"}, 403),
    Rule("consultation", "respond", RESIDENT, {"text": ""}, 422, "data.text"),
    Rule("consultation", "close_consultation", S, None, "ready_for_decision"),
    Rule("ready_for_decision", "schedule", S, {"written_procedure": True}, "scheduled"),
    Rule("ready_for_decision", "schedule", S, {"meeting_id": MeetingOf("BB-D5")}, "scheduled"),
    Rule("ready_for_decision", "schedule", S, {}, 422, "data"),
    Rule("ready_for_decision", "schedule", S, {"meeting_id": 999_999}, 422, "data.meeting_id"),
    Rule("ready_for_decision", "schedule", "eva.holm", {"written_procedure": True}, 403),
    # votes: only for a party organisation of the plan, by its member on the deciding board (or the secretariat)
    Rule("scheduled", "vote", "eva.holm", {"organisation": "FSB", "vote": "approve"}, "scheduled"),
    Rule("scheduled", "vote", "bo.iversen", {"organisation": "AAB", "vote": "reject"}, "scheduled"),
    # the secretariat records a party's vote only with its source (§3.1): the meeting whose agenda the case is on,
    # once it has begun, or the organisation's letter attached to the case. Issue 7 point 3 as observed: no source.
    Rule("scheduled", "vote", S, ballot("FSB"), 403),
    Rule("scheduled", "vote", S, ballot("AAB", "reject", document_id=Letter()), "scheduled"),
    Rule("scheduled", "vote", S, ballot("FSB", meeting_id=STARTED), 403),  # a written procedure: no meeting
    Rule("scheduled", "vote", S, ballot("FSB", meeting_id=JUNE), 403),
    Rule("scheduled", "vote", S, ballot("FSB", meeting_id=MeetingOf("BB-D4", True)), 403),
    Rule("scheduled", "vote", S, ballot("FSB", document_id=999_999), 422, "data.document_id"),
    Rule("scheduled at the June meeting", "vote", S, ballot("FSB", meeting_id=JUNE), "scheduled", now=AT_JUNE),
    Rule("scheduled at the June meeting", "vote", S, ballot("FSB", meeting_id=JUNE), 403),  # not begun at NOW
    Rule("scheduled at the June meeting", "vote", S, ballot("FSB", meeting_id=STARTED), 403, now=AT_JUNE),  # not its
    Rule("scheduled at the June meeting", "vote", S, ballot("FSB"), 403, now=AT_JUNE),
    Rule("scheduled at the June meeting", "vote", "eva.holm", ballot("FSB"), "scheduled", now=AT_JUNE),
    Rule("scheduled", "vote", "eva.holm", ballot("FSB", meeting_id=STARTED), "scheduled"),  # may name one; needs none
    Rule("scheduled", "vote", "eva.holm", {"organisation": "AAB", "vote": "approve"}, 403),
    Rule("scheduled", "vote", NOT_A_PARTY, {"organisation": "SAB", "vote": "approve"}, 403),
    Rule("scheduled", "vote", "henrik.bay", {"organisation": "KK", "vote": "approve"}, 403),
    Rule("scheduled", "vote", "karen.lindholt", {"organisation": "FSB", "vote": "approve"}, 403),  # central board only
    Rule("scheduled", "vote", FSB_OFFICER, {"organisation": "FSB", "vote": "approve"}, 403),
    Rule("scheduled", "vote", FSB_OFFICER, {"organisation": "FSB", "vote": "approve", "meeting_id": STARTED}, 403),
    Rule("scheduled on HP-09", "vote", SAB_MEMBER, {"organisation": "SAB", "vote": "approve"}, "scheduled"),
    Rule("scheduled on HP-09", "vote", SAB_AKB_CENTRAL, {"organisation": "SAB", "vote": "approve"}, 403),  # central
    Rule("scheduled on HP-09", "vote", "bo.iversen", {"organisation": "AAB", "vote": "approve"}, 403),
    Rule("scheduled", "vote", S, {"organisation": "SAB", "vote": "approve"}, 403),
    Rule("scheduled", "vote", "eva.holm", {"organisation": "FSB", "vote": "maybe"}, 422, "data.vote"),
    Rule("scheduled", "give_statement", "henrik.bay", {"text": "Kommunen støtter"}, "scheduled"),
    # unanimity of the parties with quorum; abstention blocks neither; only the secretariat records the outcome
    Rule("scheduled", "approve", S, None, 409),
    Rule("scheduled, FSB approved", "approve", S, None, 409),
    Rule("scheduled, FSB approved", "reject", S, None, 409),
    Rule("scheduled, both approved", "approve", S, None, "approved"),
    Rule("scheduled, both approved", "approve", "eva.holm", None, 403),
    Rule("scheduled, both approved", "reject", S, None, 409),
    Rule("scheduled, FSB approved, AAB rejected", "approve", S, None, 409),
    Rule("scheduled, FSB approved, AAB rejected", "reject", S, None, "rejected"),
    Rule("scheduled, FSB approved, AAB abstained", "approve", S, None, "approved"),
    Rule("scheduled, both abstained", "approve", S, None, 409),
    Rule("scheduled, both abstained", "reject", S, None, 409),
    Rule("scheduled, AAB rejected then approved", "approve", S, None, "approved"),
    Rule("scheduled again after postponing a full vote", "approve", S, None, 409),
    Rule("scheduled", "send_back", S, None, "returned"),
    Rule("scheduled", "postpone", S, None, "ready_for_decision"),
    Rule("returned", "revise", LEADER, None, "draft"),
    Rule("returned", "revise", OTHER_LEADER, None, 403),
    # LBF approval is needed when money moves between activity areas (or the secretariat says so)
    Rule("approved, within an area", "implement", S, None, "implemented"),
    Rule("approved, within an area", "send_to_lbf", S, None, 409),
    Rule("approved, within an area", "implement", LEADER, None, 403),
    Rule("approved, between areas", "implement", S, None, 409),
    Rule("approved, between areas", "send_to_lbf", S, None, "awaiting_lbf"),
    Rule("approved, LBF forced at screening", "implement", S, None, 409),
    Rule("awaiting_lbf", "record_lbf_approval", S, {"lbf_reference": "LBF-2016-17"}, "lbf_approved"),
    Rule("awaiting_lbf", "record_lbf_approval", FSB_OFFICER, {}, 403),
    Rule("awaiting_lbf", "record_lbf_rejection", S, {}, "lbf_rejected"),
    Rule("awaiting_lbf", "record_lbf_query", S, {"received_on": "2016-05-02"}, "lbf_queried"),
    Rule("awaiting_lbf", "record_lbf_approval", S, {"received_on": "not a date"}, 422, "data.received_on"),
    Rule("awaiting_lbf", "implement", S, None, 409),
    Rule("lbf_queried", "answer_lbf_query", LEADER, {"text": "Se bilag"}, "awaiting_lbf"),
    Rule("lbf_approved", "implement", S, None, "implemented"),
    Rule("implemented", "close", S, None, "closed"),
    # withdrawal: by an applicant, before the decision only
    Rule("scheduled", "withdraw", LEADER, None, "withdrawn"),
    Rule("returned", "withdraw", FSB_OFFICER, None, "withdrawn"),
    Rule("scheduled", "withdraw", OTHER_LEADER, None, 403),
    Rule("approved, within an area", "withdraw", LEADER, None, 409),
    Rule("closed", "withdraw", S, None, 409),
    Rule("closed", "no_such_action", S, None, 409),
]


@pytest.mark.parametrize(("case_type", "rule"), rows("change_request", CHANGE_REQUEST))
def test_change_request(session: Session, case_type: str, rule: Rule) -> None:
    check(session, CR_GIVEN[rule.given], case_type, rule)


# -- strategic_agreement_change (§4.2): the City is a party too ----------------------------------------------------

SA_DRAFT = Given(data={"change_description": "Ny delaftale med BUF i FF"}, by=LEADER)
SA_SCHEDULED = SA_DRAFT.then(
    (LEADER, "submit", None),
    (S, "start_screening", None),
    (S, "mark_ready", None),
    (S, "schedule", {"meeting_id": MeetingOf("BB-D5")}),
)
SA_APPROVED = SA_SCHEDULED.then(*votes(FSB="approve", AAB="approve", KK="approve"), (S, "approve", None))
SA_INFORMED = SA_APPROVED.then((S, "inform_central_board", None))
SA_LBF = SA_INFORMED.then((S, "send_to_lbf", None))
SA_GIVEN = {
    "draft": SA_DRAFT,
    "screening": SA_DRAFT.then((LEADER, "submit", None), (S, "start_screening", None)),
    "scheduled": SA_SCHEDULED,
    "scheduled, housing parties approved": SA_SCHEDULED.then(*votes(FSB="approve", AAB="approve")),
    "scheduled, all three approved": SA_SCHEDULED.then(*votes(FSB="approve", AAB="approve", KK="approve")),
    "scheduled, KK rejected": SA_SCHEDULED.then(*votes(FSB="approve", AAB="approve", KK="reject")),
    "scheduled, KK abstained": SA_SCHEDULED.then(*votes(FSB="approve", AAB="approve", KK="abstain")),
    "returned": SA_SCHEDULED.then((S, "send_back", None)),
    "approved": SA_APPROVED,
    "central_board_informed": SA_INFORMED,
    "awaiting_lbf": SA_LBF,
    "lbf_queried": SA_LBF.then((S, "record_lbf_query", {})),
    "lbf_rejected": SA_LBF.then((S, "record_lbf_rejection", {})),
    "lbf_approved": SA_LBF.then((S, "record_lbf_approval", {})),
}

STRATEGIC_AGREEMENT_CHANGE = [
    Rule("draft", "submit", LEADER, None, "submitted"),
    Rule("draft", "submit", "henrik.bay", None, 403),
    Rule("screening", "mark_ready", S, None, "ready_for_decision"),
    Rule("screening", "mark_ready", S, {"material": True}, 422, "data"),
    Rule("scheduled", "vote", "henrik.bay", {"organisation": "KK", "vote": "approve"}, "scheduled"),
    Rule("scheduled", "vote", "carl.friis", {"organisation": "KK", "vote": "approve"}, "scheduled"),  # BUF on BB-D5
    Rule("scheduled", "vote", "henrik.bay", {"organisation": "FSB", "vote": "approve"}, 403),
    Rule("scheduled", "vote", "eva.holm", {"organisation": "KK", "vote": "approve"}, 403),
    Rule("scheduled", "vote", "mads.overgaard", {"organisation": "KK", "vote": "approve"}, 403),  # TMF, central only
    Rule("scheduled", "vote", NOT_A_PARTY, {"organisation": "SAB", "vote": "approve"}, 403),
    Rule("scheduled", "vote", S, {"organisation": "KK", "vote": "approve"}, 403),  # the City's vote needs its source
    Rule("scheduled", "vote", S, ballot("KK", meeting_id=JUNE), "scheduled", now=AT_JUNE),  # on BB-D5's June agenda
    Rule("scheduled", "vote", S, ballot("KK", meeting_id=STARTED), 403, now=AT_JUNE),
    Rule("scheduled", "vote", S, ballot("AAB", document_id=Letter()), "scheduled"),
    Rule("scheduled, housing parties approved", "approve", S, None, 409),
    Rule("scheduled, all three approved", "approve", S, None, "approved"),
    Rule("scheduled, KK rejected", "approve", S, None, 409),
    Rule("scheduled, KK rejected", "reject", S, None, "rejected"),
    Rule("scheduled, KK abstained", "approve", S, None, 409),  # the City's veto: an abstention blocks it
    Rule("scheduled, KK abstained", "reject", S, None, "rejected"),
    # the ways back: send back and revise, postpone, withdraw before the decision; LBF's rejection and query
    Rule("scheduled", "send_back", S, None, "returned"),
    Rule("scheduled", "send_back", "eva.holm", None, 403),
    Rule("scheduled", "postpone", S, None, "ready_for_decision"),
    Rule("scheduled", "withdraw", LEADER, None, "withdrawn"),
    Rule("scheduled", "withdraw", FSB_EMPLOYEE, None, 403),
    Rule("returned", "revise", LEADER, None, "draft"),
    Rule("returned", "revise", FSB_OFFICER, None, "draft"),
    Rule("returned", "revise", "henrik.bay", None, 403),
    Rule("returned", "withdraw", AAB_OFFICER, None, "withdrawn"),
    Rule("returned", "approve", S, None, 409),
    Rule("draft", "withdraw", LEADER, None, "withdrawn"),
    Rule("screening", "withdraw", S, None, "withdrawn"),
    Rule("awaiting_lbf", "record_lbf_rejection", S, {"lbf_reference": "J.nr. 9"}, "lbf_rejected"),
    Rule("awaiting_lbf", "record_lbf_query", S, {}, "lbf_queried"),
    Rule("awaiting_lbf", "record_lbf_query", LEADER, {}, 403),
    Rule("awaiting_lbf", "withdraw", LEADER, None, 409),
    Rule("lbf_queried", "answer_lbf_query", LEADER, {"text": "Se bilag"}, "awaiting_lbf"),
    Rule("lbf_queried", "answer_lbf_query", FSB_OFFICER, {"text": "Se bilag"}, "awaiting_lbf"),
    Rule("lbf_queried", "answer_lbf_query", OTHER_LEADER, {"text": "Se bilag"}, 403),
    Rule("lbf_queried", "put_in_force", S, None, 409),
    Rule("lbf_rejected", "put_in_force", S, None, 409),
    Rule("lbf_rejected", "revise", LEADER, None, 409),
    Rule("approved", "send_to_lbf", S, None, 409),
    Rule("approved", "inform_central_board", S, None, "central_board_informed"),
    Rule("approved", "inform_central_board", "eva.holm", None, 403),
    Rule("approved", "withdraw", LEADER, None, 409),
    Rule("central_board_informed", "send_to_lbf", S, None, "awaiting_lbf"),
    Rule("awaiting_lbf", "record_lbf_approval", S, {}, "lbf_approved"),
    Rule("awaiting_lbf", "put_in_force", S, None, 409),
    Rule("lbf_approved", "put_in_force", S, None, "in_force"),
    Rule("lbf_approved", "put_in_force", LEADER, None, 403),
]


@pytest.mark.parametrize(("case_type", "rule"), rows("strategic_agreement_change", STRATEGIC_AGREEMENT_CHANGE))
def test_strategic_agreement_change(session: Session, case_type: str, rule: Rule) -> None:
    check(session, SA_GIVEN[rule.given], case_type, rule)


# -- charter (§4.3): the secretariat's, approved by the central board and LBF --------------------------------------

CH_DRAFT = Given(data={"decision_rule": "majority", "summary": "Kommissorium"}, plan=None, board="BB-D5")
CH_SCHEDULED = CH_DRAFT.then((S, "submit_to_central_board", None), (S, "schedule", {"meeting_id": MeetingOf("CENTRAL")}))
CH_SENT = CH_SCHEDULED.then((S, "approve", None), (S, "send_to_lbf", None))
CH_GIVEN = {
    "draft": CH_DRAFT,
    "district_board_consulted": CH_DRAFT.then((S, "consult_district_board", None)),
    "submitted_to_central_board": CH_DRAFT.then((S, "submit_to_central_board", None)),
    "scheduled": CH_SCHEDULED,
    "central_approved": CH_SCHEDULED.then((S, "approve", None)),
    "sent_to_lbf": CH_SENT,
    "returned": CH_SCHEDULED.then((S, "send_back", None)),
    "lbf_returned": CH_SENT.then((S, "record_lbf_rejection", {})),
    "lbf_approved": CH_SENT.then((S, "record_lbf_approval", {})),
    "in_force": CH_SENT.then((S, "record_lbf_approval", {}), (S, "put_in_force", None)),
}

CHARTER = [
    Rule("draft", "edit", S, {"decision_rule": "unanimity"}, "draft"),
    Rule("draft", "edit", S, {"decision_rule": "consensus"}, 422, "data.decision_rule"),
    Rule("draft", "edit", "eva.holm", {"summary": "Ny tekst"}, 403),  # chair of BB-D5, but drafting is the secretariat's
    Rule("draft", "consult_district_board", S, None, "district_board_consulted"),
    Rule("draft", "submit_to_central_board", S, None, "submitted_to_central_board"),
    Rule("draft", "submit_to_central_board", "karen.lindholt", None, 403),
    Rule("submitted_to_central_board", "schedule", S, {"meeting_id": MeetingOf("CENTRAL")}, "scheduled"),
    Rule("scheduled", "give_statement", "karen.lindholt", {"text": "Godt udkast"}, "scheduled"),  # central chair
    Rule("scheduled", "give_statement", "mads.overgaard", {"text": "TMF bakker op"}, "scheduled"),  # City, central
    Rule("scheduled", "give_statement", "eva.holm", {"text": "Enig"}, 403),  # district board only
    Rule("scheduled", "approve", S, None, "central_approved"),
    Rule("scheduled", "approve", "karen.lindholt", None, 403),
    Rule("scheduled", "send_back", S, None, "returned"),
    Rule("scheduled", "postpone", S, None, "submitted_to_central_board"),
    Rule("scheduled", "withdraw", S, None, 409),
    Rule("central_approved", "send_to_lbf", S, None, "sent_to_lbf"),
    Rule("central_approved", "put_in_force", S, None, 409),
    Rule("sent_to_lbf", "record_lbf_approval", S, {}, "lbf_approved"),
    Rule("sent_to_lbf", "record_lbf_rejection", S, {}, "lbf_returned"),
    Rule("sent_to_lbf", "record_lbf_query", S, {}, 409),  # a charter has no LBF query step
    Rule("lbf_returned", "revise", S, None, "draft"),
    # the ways back: sent back by the central board, or returned by LBF; revised, or withdrawn
    Rule("returned", "revise", S, None, "draft"),
    Rule("returned", "revise", "eva.holm", None, 403),
    Rule("returned", "withdraw", S, None, "withdrawn"),
    Rule("returned", "approve", S, None, 409),
    Rule("lbf_returned", "withdraw", S, None, "withdrawn"),
    Rule("lbf_returned", "withdraw", "karen.lindholt", None, 403),
    Rule("lbf_returned", "put_in_force", S, None, 409),
    Rule("submitted_to_central_board", "withdraw", S, None, "withdrawn"),
    Rule("district_board_consulted", "submit_to_central_board", S, None, "submitted_to_central_board"),
    Rule("sent_to_lbf", "withdraw", S, None, 409),
    Rule("sent_to_lbf", "record_lbf_rejection", "karen.lindholt", {}, 403),
    Rule("lbf_approved", "put_in_force", S, None, "in_force"),
    Rule("in_force", "withdraw", S, None, 409),
    Rule("in_force", "edit", S, {"summary": "Ny"}, 409),
]


@pytest.mark.parametrize(("case_type", "rule"), rows("charter", CHARTER))
def test_charter(session: Session, case_type: str, rule: Rule) -> None:
    check(session, CH_GIVEN[rule.given], case_type, rule)


# -- lbf_submission (§4.4): the housing organisation reports to LBF -----------------------------------------------

APPROVED_BY_ORG = "approved_by_housing_org"
LS_SCHEDULED = Given(data={"report": "regulation_account", "period": "2016", "due_date": "2017-06-30"})
LS_PREPARING = LS_SCHEDULED.then((LEADER, "start_preparation", None))
LS_SUBMITTED = LS_PREPARING.then(
    (FSB_OFFICER, "approve_submission", {"organisation": "FSB"}), (FSB_OFFICER, "submit_to_lbf", None)
)
LS_GIVEN = {
    "scheduled": LS_SCHEDULED,
    "in_preparation": LS_PREPARING,
    "board_noted": LS_PREPARING.then((S, "present_to_board", None)),
    "approved_by_housing_org": LS_PREPARING.then((FSB_OFFICER, "approve_submission", {"organisation": "FSB"})),
    "submitted_to_lbf": LS_SUBMITTED,
    "queried": LS_SUBMITTED.then((S, "record_lbf_query", {})),
    "accepted": LS_SUBMITTED.then((S, "record_acceptance", {})),
}

LBF_SUBMISSION = [
    Rule("scheduled", "start_preparation", LEADER, None, "in_preparation"),
    Rule("scheduled", "start_preparation", AAB_OFFICER, None, "in_preparation"),
    Rule("scheduled", "start_preparation", OTHER_LEADER, None, 403),
    Rule("scheduled", "submit_to_lbf", FSB_OFFICER, None, 409),
    Rule("in_preparation", "present_to_board", S, None, "board_noted"),
    Rule("in_preparation", "present_to_board", LEADER, None, 403),
    Rule("in_preparation", "approve_submission", FSB_OFFICER, {"organisation": "FSB"}, "approved_by_housing_org"),
    Rule("in_preparation", "approve_submission", FSB_OFFICER, {}, 422, "data.organisation"),
    Rule("in_preparation", "approve_submission", OTHER_LEADER, {"organisation": "3B"}, 403),
    Rule("in_preparation", "approve_submission", FSB_OFFICER, {"organisation": "AAB"}, 403),  # acts for FSB only
    Rule("in_preparation", "approve_submission", S, {"organisation": "AAB"}, 403),  # the organisation's own act
    Rule("board_noted", "approve_submission", S, {"organisation": "AAB", "document_id": Letter()}, APPROVED_BY_ORG),
    Rule("in_preparation", "approve_submission", FSB_EMPLOYEE, {"organisation": "FSB"}, 403),
    Rule("in_preparation", "approve_submission", LEADER, {"organisation": "FSB"}, 403),  # leads; does not act for FSB
    Rule("board_noted", "approve_submission", AAB_OFFICER, {"organisation": "AAB"}, "approved_by_housing_org"),
    Rule("approved_by_housing_org", "submit_to_lbf", AAB_OFFICER, None, "submitted_to_lbf"),
    Rule("approved_by_housing_org", "submit_to_lbf", RESIDENT, None, 403),
    Rule("submitted_to_lbf", "record_acceptance", S, {"lbf_reference": "J.nr. 2016-1"}, "accepted"),
    Rule("submitted_to_lbf", "record_acceptance", FSB_OFFICER, {}, 403),
    Rule("submitted_to_lbf", "record_lbf_query", S, {}, "queried"),
    Rule("queried", "resume", LEADER, None, "in_preparation"),
    Rule("accepted", "resume", LEADER, None, 409),
]


@pytest.mark.parametrize(("case_type", "rule"), rows("lbf_submission", LBF_SUBMISSION))
def test_lbf_submission(session: Session, case_type: str, rule: Rule) -> None:
    check(session, LS_GIVEN[rule.given], case_type, rule)


# -- competence_transfer (§4.5): every party consents, one refusal ends it ----------------------------------------

CT_REQUESTED = Given(data={"direction": "to_central"}, by=FSB_OFFICER)
CT_BOTH = CT_REQUESTED.then(
    (FSB_OFFICER, "consent", {"organisation": "FSB"}), (AAB_OFFICER, "consent", {"organisation": "AAB"})
)
CT_COLLECTED = CT_BOTH.then((S, "confirm_consents", None))
CT_SCHEDULED = CT_COLLECTED.then((S, "schedule", {"meeting_id": MeetingOf("CENTRAL")}))
CT_GIVEN = {
    "requested": CT_REQUESTED,
    "requested, FSB consented": CT_REQUESTED.then((FSB_OFFICER, "consent", {"organisation": "FSB"})),
    "requested, both consented": CT_BOTH,
    "consents_collected": CT_COLLECTED,
    "scheduled": CT_SCHEDULED,
    "accepted": CT_SCHEDULED.then((S, "accept", None)),
    "refused": CT_REQUESTED.then((AAB_OFFICER, "refuse", {"organisation": "AAB"})),
}

COMPETENCE_TRANSFER = [
    Rule("requested", "consent", FSB_OFFICER, {"organisation": "FSB"}, "requested"),
    Rule("requested", "consent", FSB_OFFICER, {"organisation": "AAB"}, 403),
    Rule("requested", "consent", AAB_OFFICER, {"organisation": "AAB"}, "requested"),
    Rule("requested", "consent", NOT_A_PARTY, {"organisation": "SAB"}, 403),
    Rule("requested", "consent", "henrik.bay", {"organisation": "KK"}, 403),
    Rule("requested", "consent", S, {"organisation": "AAB"}, 403),  # the secretariat records a consent with its source
    Rule("requested", "consent", S, {"organisation": "AAB", "document_id": Letter()}, "requested"),
    Rule("requested", "consent", S, {"organisation": "AAB", "meeting_id": MeetingOf("CENTRAL")}, 403),  # not yet met
    Rule("requested", "refuse", S, {"organisation": "AAB"}, 403),
    Rule("requested", "refuse", S, {"organisation": "AAB", "document_id": Letter()}, "refused"),
    Rule("requested", "consent", FSB_EMPLOYEE, {"organisation": "FSB"}, 403),
    Rule("requested", "consent", FSB_OFFICER, {}, 422, "data.organisation"),
    Rule("requested", "confirm_consents", S, None, 409),
    Rule("requested, FSB consented", "confirm_consents", S, None, 409),
    Rule("requested, both consented", "confirm_consents", S, None, "consents_collected"),
    Rule("requested, both consented", "confirm_consents", FSB_OFFICER, None, 403),
    Rule("requested", "refuse", AAB_OFFICER, {"organisation": "AAB"}, "refused"),
    Rule("requested, FSB consented", "refuse", AAB_OFFICER, {"organisation": "AAB"}, "refused"),
    Rule("requested", "refuse", NOT_A_PARTY, {"organisation": "SAB"}, 403),
    Rule("refused", "consent", FSB_OFFICER, {"organisation": "FSB"}, 409),
    Rule("refused", "confirm_consents", S, None, 409),
    Rule("consents_collected", "schedule", S, {"meeting_id": MeetingOf("CENTRAL")}, "scheduled"),
    Rule("scheduled", "accept", S, None, "accepted"),
    Rule("scheduled", "accept", "karen.lindholt", None, 403),
    Rule("scheduled", "postpone", S, None, "consents_collected"),
    Rule("accepted", "make_effective", S, None, "effective"),
    Rule("accepted", "make_effective", FSB_OFFICER, None, 403),
    Rule("accepted", "withdraw", FSB_OFFICER, None, "withdrawn"),  # not yet effective: a party may still withdraw
    Rule("accepted", "withdraw", FSB_EMPLOYEE, None, 403),
    Rule("scheduled", "withdraw", AAB_OFFICER, None, "withdrawn"),
]


@pytest.mark.parametrize(("case_type", "rule"), rows("competence_transfer", COMPETENCE_TRANSFER))
def test_competence_transfer(session: Session, case_type: str, rule: Rule) -> None:
    check(session, CT_GIVEN[rule.given], case_type, rule)


# -- seats on the day: only a current seat on the deciding board votes (§3, §3.1) ---------------------------------

TODAY = NOW.date()


@pytest.mark.parametrize(
    ("kind", "valid_from", "valid_to", "expect"),
    [
        pytest.param(Seat.member, date(2016, 1, 1), None, "scheduled", id="a current seat votes"),
        pytest.param(Seat.chair, date(2016, 1, 1), TODAY, "scheduled", id="on the seat's last day"),
        pytest.param(Seat.member, TODAY, None, "scheduled", id="on the seat's first day"),
        pytest.param(Seat.member, date(2016, 1, 1), TODAY - timedelta(days=1), 403, id="an expired seat gives no vote"),
        pytest.param(Seat.member, TODAY + timedelta(days=1), None, 403, id="a seat not yet begun gives no vote"),
        pytest.param(Seat.attending, date(2016, 1, 1), None, 403, id="an attending seat gives no vote"),
    ],
)
def test_a_vote_needs_a_voting_seat_valid_on_the_day(
    session: Session, kind: Seat, valid_from: date, valid_to: date | None, expect: str | int
) -> None:
    """FSB's officer holds no seat on BB-D5 (his vote is refused above); give him one and let him vote for FSB."""
    seat(session, FSB_OFFICER, "BB-D5", "FSB", kind, valid_from=valid_from, valid_to=valid_to)
    check(
        session,
        CR_GIVEN["scheduled"],
        "change_request",
        Rule("scheduled", "vote", FSB_OFFICER, {"organisation": "FSB", "vote": "approve"}, expect),
    )


def test_an_attending_member_of_the_central_board_does_not_vote(session: Session) -> None:
    """The demo's ole.kragh attends the central board for HAB and MURER. Once HP-04 (FSB and MURER) is decided
    centrally, MURER's vote there is cast by a member, not by an attendee (the stricter reading of §3)."""
    transfer = reach(
        session,
        "competence_transfer",
        Given(
            (
                ("gustav.lind", "consent", {"organisation": "FSB"}),
                ("kim.aagaard", "consent", {"organisation": "MURER"}),
                (S, "confirm_consents", None),
                (S, "schedule", {"written_procedure": True}),
                (S, "accept", None),
                (S, "make_effective", None),
            ),
            {"direction": "to_central"},
            "gustav.lind",
            "HP-04",
        ),
    )
    assert transfer.state == "effective"
    on_hp04 = Given(((FSB_EMPLOYEE, "submit", None), *CR_SCHEDULED.steps[1:]), CONTENT, FSB_EMPLOYEE, "HP-04")
    check(
        session,
        on_hp04,
        "change_request",
        Rule("scheduled", "vote", "ole.kragh", {"organisation": "MURER", "vote": "approve"}, 403),
    )


def test_a_member_whose_seat_ended_no_longer_votes_for_the_organisation(session: Session) -> None:
    """eva.holm's own BB-D5 seat (FSB) ended the day before: her vote is refused, though she still acts for FSB
    through her seats on other district boards; on a day the seat held, it was there."""
    [membership] = session.exec(
        select(Membership).where(
            Membership.user_id == user(session, "eva.holm").id, Membership.board_id == board_id(session, "BB-D5")
        )
    ).all()
    membership.valid_to = TODAY - timedelta(days=1)
    session.add(membership)
    session.flush()
    check(
        session,
        CR_GIVEN["scheduled"],
        "change_request",
        Rule("scheduled", "vote", "eva.holm", {"organisation": "FSB", "vote": "approve"}, 403),
    )
    assert "FSB" in actor(session, "eva.holm").acts_for  # still on BB-D1, BB-D2 and BB-D3 for FSB
    assert "FSB" in actor(session, "eva.holm", TODAY - timedelta(days=2)).seats[board_id(session, "BB-D5")]


# -- the agenda cut-off: ten Danish working days before the meeting, in Copenhagen time (§5) ------------------------

# BB-D5 meets on Wednesday 15 June 2016; ten working days before it (5 June is a Sunday and Grundlovsdag) is
# Wednesday 1 June. A case is ready "before the cut-off" when it is scheduled on that day at the latest.
CUTOFF = [
    pytest.param("2016-04-04 10:00", "scheduled", id="weeks before"),
    pytest.param("2016-05-31 10:00", "scheduled", id="the day before the cut-off"),
    pytest.param("2016-06-01 10:00", "scheduled", id="the cut-off day itself"),
    pytest.param("2016-06-01 21:59", "scheduled", id="23:59 in Copenhagen on the cut-off day"),
    pytest.param("2016-06-01 22:00", 422, id="midnight in Copenhagen: the agenda has closed"),
    pytest.param("2016-06-02 08:00", 422, id="the day after the cut-off"),
    pytest.param("2016-06-15 08:00", 422, id="the meeting day"),
]


@pytest.mark.parametrize(("at", "expect"), CUTOFF)
def test_a_case_reaches_a_meetings_agenda_only_until_its_cut_off(session: Session, at: str, expect: str | int) -> None:
    when = datetime.fromisoformat(at).replace(tzinfo=UTC)
    case = reach(session, "change_request", CR_READY)
    june = meeting_id(session, "BB-D5")  # the first meeting after NOW
    meeting = session.get(Meeting, june)
    assert meeting is not None and meeting.starts_at.astimezone(LOCAL).date() == date(2016, 6, 15)
    before = trace(session, case_id(case))
    if isinstance(expect, str):
        assert step(session, case, S, "schedule", {"meeting_id": june}, now=when).state == expect
        assert events(session, case_id(case))[-1].data["meeting_id"] == june
        return
    with pytest.raises(Invalid) as refused:
        step(session, case, S, "schedule", {"meeting_id": june}, now=when)
    assert refused.value.status == expect
    assert "data.meeting_id" in [e["field"] for e in refused.value.extra["errors"]]
    assert "2016-06-01" in refused.value.detail  # it says when the agenda closed
    assert trace(session, case_id(case)) == before
    # a written procedure has no agenda, so no cut-off
    assert step(session, case, S, "schedule", {"written_procedure": True}, now=when).state == "scheduled"
