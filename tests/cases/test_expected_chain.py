"""The expected decision's chain on a controlled clock and calendar, without a database: the district board's next
eligible meeting, then the central board's, then LBF's observed median reply time; overdue steps roll forward."""

from datetime import date
from typing import Any

import pytest

from service.forecasting import lbf, paths
from service.forecasting.chain import CaseFacts, Known, MeetingDay, StepKind, forecast
from service.forecasting.lbf import ReplyTimes
from service.forecasting.texts import chain_text, slip_text
from service.persistence.case_tables import Case
from workflows.registry import WORKFLOWS

DISTRICT, CENTRAL = 1, 9
CALENDAR = {
    1: MeetingDay(1, DISTRICT, date(2016, 6, 7), True),  # agenda cut-off 24 May 2016
    2: MeetingDay(2, DISTRICT, date(2016, 9, 6), True),
    3: MeetingDay(3, CENTRAL, date(2016, 6, 21), True),
    4: MeetingDay(4, CENTRAL, date(2016, 11, 24), True),
}
NAMES = {DISTRICT: "Bydelsbestyrelse Amager", CENTRAL: "Boligsocial Bestyrelse"}
OBSERVED = ReplyTimes.of((70, 80, 83, 90, 100))  # median 83 days


def knowing(today: date, replies: ReplyTimes = OBSERVED) -> Known:
    return Known(today, dict(CALENDAR), NAMES, CENTRAL, replies)


def case(case_type: str, state: str, data: dict[str, Any] | None = None, board: int = DISTRICT) -> Case:
    return Case(
        id=1, reference="BS-2016-0001", case_type=case_type, state=state, title="t", deciding_board_id=board, data=data or {}
    )


def chain(found: Any) -> list[tuple[StepKind, int | None, date]]:
    return [(s.kind, s.board_id, s.on) for s in found.steps]


def test_an_agreement_change_goes_district_then_central_then_lbf() -> None:
    found = forecast(knowing(date(2016, 5, 10)), case("strategic_agreement_change", "draft"), None, CaseFacts())
    assert found is not None
    assert chain(found) == [
        (StepKind.meeting, DISTRICT, date(2016, 6, 7)),
        (StepKind.information, CENTRAL, date(2016, 6, 21)),
        (StepKind.lbf, None, date(2016, 9, 12)),  # 21 June + the median of 83 days
    ]
    assert found.on == date(2016, 9, 12) and found.overdue_since is None
    named = [(s.kind.value, NAMES.get(s.board_id or 0), s.on) for s in found.steps]
    assert chain_text(named, "da") == (
        "Bydelsbestyrelse Amager 7. jun. 2016 → Boligsocial Bestyrelse 21. jun. 2016 → LBF ca. 12. sep. 2016"
    )


def test_after_the_cutoff_the_next_meeting_and_the_central_board_after_it() -> None:
    found = forecast(knowing(date(2016, 5, 25)), case("strategic_agreement_change", "screening"), None, CaseFacts())
    assert found is not None
    assert chain(found) == [
        (StepKind.meeting, DISTRICT, date(2016, 9, 6)),
        (StepKind.information, CENTRAL, date(2016, 11, 24)),
        (StepKind.lbf, None, date(2017, 2, 15)),
    ]


def test_too_few_lbf_replies_fall_back_to_the_documented_default() -> None:
    thin = ReplyTimes.of((50, 60))
    assert thin.median() == lbf.DEFAULT_DAYS == 30
    moves = {"budget_moves": [{"from_area": "KP", "to_area": "FF", "from_funder": "LBF", "to_funder": "LBF"}]}
    found = forecast(knowing(date(2016, 5, 10), thin), case("change_request", "draft", moves), None, CaseFacts())
    assert found is not None and chain(found)[-1] == (StepKind.lbf, None, date(2016, 7, 7))


def test_a_content_change_needs_no_lbf_and_a_screened_answer_wins_over_the_default_rule() -> None:
    content = forecast(knowing(date(2016, 5, 10)), case("change_request", "draft"), None, CaseFacts())
    assert content is not None and chain(content) == [(StepKind.meeting, DISTRICT, date(2016, 6, 7))]
    marked = case("change_request", "ready_for_decision", {"lbf_approval_needed": True})
    found = forecast(knowing(date(2016, 5, 10)), marked, None, CaseFacts())
    assert found is not None and [s.kind for s in found.steps] == [StepKind.meeting, StepKind.lbf]


def test_an_overdue_lbf_reply_rolls_forward_with_the_remaining_median() -> None:
    replies = ReplyTimes.of((60, 70, 75, 80, 83, 83, 95, 100, 110, 120, 130))
    today = date(2016, 6, 1)
    waiting = case("change_request", "awaiting_lbf", {"lbf_approval_needed": True})
    found = forecast(knowing(today, replies), waiting, None, CaseFacts(entered=date(2016, 3, 1)))
    assert found is not None
    (step,) = found.steps
    assert step.planned == date(2016, 5, 23)  # 1 March + the median of 83 days, already past
    assert found.overdue_since == date(2016, 5, 23)
    # Waited 92 days: the replies that took longer took a median of 110, so 18 days more (19 June is a Sunday).
    assert found.on == date(2016, 6, 20) and found.on > today


@pytest.mark.parametrize("waited_since", [date(2016, 1, 4), date(2015, 6, 1), date(2016, 4, 20)])
def test_an_overdue_lbf_reply_is_never_expected_in_the_past(waited_since: date) -> None:
    today = date(2016, 6, 1)
    for replies in (OBSERVED, ReplyTimes()):
        found = forecast(
            knowing(today, replies), case("charter", "sent_to_lbf", board=CENTRAL), None, CaseFacts(entered=waited_since)
        )
        assert found is not None and found.on >= today
        assert (found.overdue_since is not None) == (found.steps[0].planned < today)
    assert ReplyTimes().remaining(45) == lbf.OVERDUE_DAYS


def test_a_meeting_held_without_a_recorded_decision_is_overdue_and_expected_from_today() -> None:
    today = date(2016, 6, 9)  # two days after the meeting the case is on
    found = forecast(knowing(today), case("change_request", "scheduled"), 1, CaseFacts())
    assert found is not None and found.on == today and found.overdue_since == date(2016, 6, 7)
    written = forecast(knowing(today), case("change_request", "scheduled"), None, CaseFacts(written_until=date(2016, 6, 3)))
    assert written is not None and written.steps[0].kind == StepKind.written and written.on == today


def test_the_path_ahead_is_read_from_the_declarations() -> None:
    assert paths.ahead("charter", "sent_to_lbf", False) == paths.Ahead(False, False, True, True, False)
    returned = paths.ahead("charter", "lbf_returned", False)  # back to the drafter: the whole way again
    assert returned.board and returned.lbf and not returned.at_lbf
    informed = paths.ahead("strategic_agreement_change", "central_board_informed", False)
    assert informed.informed and informed.central and not informed.board
    assert paths.ahead("lbf_submission", "in_preparation", False).lbf
    assert not paths.ahead("competence_transfer", "requested", False).lbf
    for workflow in WORKFLOWS.values():  # after the board's decision it is never expected again
        for state in workflow.decided_in:
            assert not paths.ahead(workflow.key, state, True).board, (workflow.key, state)


def test_slips_read_in_danish_and_english() -> None:
    missed = {"reason": "missed", "meeting_on": "2016-06-07", "days": 91}
    assert slip_text(missed, "da") == "Nåede ikke mødet 7. juni 2016: +13 uger"
    assert slip_text(missed, "en") == "Missed the meeting on 7 June 2016: +13 weeks"
    moved = {"reason": "moved", "meeting_on": "2016-06-07", "moved_to": "2016-06-10", "days": 3}
    assert slip_text(moved, "da") == "Mødet 7. juni 2016 blev flyttet til 10. juni 2016: +3 dage"
