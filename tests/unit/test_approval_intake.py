"""The approval's intake decider: an approval opens when a submission's facts and its
completed notice are both known, in either order; a halted notice never opens one; inputs
seen before, or about a superseded submission, record nothing."""

from __future__ import annotations

from services.approval.domain.chain import COUNTY_FINANCE_OFFICER, Chain
from services.approval.domain.events import (
    ApprovalOpened,
    NoticeOutcomeReceived,
    SubmissionReceived,
    SubmittedRowsCounted,
)
from tests.unit.approval_samples import completed, halted, submission, taken_in


def test_an_approval_opens_once_the_submission_and_its_completed_notice_are_known() -> None:
    """The rows come before their totals (one stream); the notice's outcome travels on
    another topic and may come before, between or after them."""
    part, totals = submission()
    for order in (
        [completed(), part, totals],
        [part, completed(), totals],
        [part, totals, completed()],
    ):
        state, recorded = taken_in(order)
        assert [type(e) for e in recorded].count(ApprovalOpened) == 1, order
        assert isinstance(recorded[-1], ApprovalOpened)
        assert state is not None
        assert state.status == "open"
        assert state.approval is not None
        assert state.approval.prepared_by == totals.prepared_by


def test_the_rows_are_counted_part_by_part() -> None:
    part, _ = submission(amounts=(100, 250))
    _, recorded = taken_in([part])
    assert recorded == [
        SubmittedRowsCounted(roster_id="r-1", submission_no=1, part=1, row_count=2, total_fen=350)
    ]


def test_a_submission_alone_waits_for_its_notice() -> None:
    part, totals = submission()
    state, recorded = taken_in([part, totals])
    assert [type(e) for e in recorded] == [SubmittedRowsCounted, SubmissionReceived]
    assert state is not None
    assert state.status == "awaiting_notice"
    assert state.approval is None


def test_a_halted_notice_never_opens_an_approval_even_if_a_completion_follows() -> None:
    part, totals = submission()
    for inputs in ([halted(), part, totals], [part, totals, halted()]):
        state, recorded = taken_in([*inputs, completed()])
        assert not any(isinstance(e, ApprovalOpened) for e in recorded)
        outcomes = [e.outcome for e in recorded if isinstance(e, NoticeOutcomeReceived)]
        assert outcomes == ["halted"]
        assert state is not None
        assert state.status == "notice_halted"


def test_an_input_delivered_again_records_nothing() -> None:
    part, totals = submission()
    state, _ = taken_in([part, totals, completed()])
    for again in (part, totals, completed(), halted()):
        assert taken_in([again], state=state)[1] == []


def test_a_newer_submission_supersedes_and_late_inputs_of_the_older_change_nothing() -> None:
    first_part, first = submission(submission_no=1)
    second_part, second = submission(submission_no=2, amounts=(500,))
    state, _ = taken_in([first_part, first, second_part, second])
    state, recorded = taken_in([completed(submission_no=1)], state=state)
    assert recorded == []
    state, recorded = taken_in([completed(submission_no=2)], state=state)
    assert isinstance(recorded[-1], ApprovalOpened)
    assert recorded[-1].submission_no == 2
    assert state is not None
    assert state.approval is not None
    assert state.approval.submission_no == 2


def test_a_newer_submission_supersedes_an_open_approval() -> None:
    part, totals = submission(submission_no=1)
    state, _ = taken_in([part, totals, completed()])
    newer_part, newer = submission(submission_no=2)
    state, _ = taken_in([newer_part, newer], state=state)
    assert state is not None
    assert state.latest == 2
    assert state.status == "awaiting_notice"


def test_the_approval_keeps_the_chain_it_opened_with() -> None:
    chain = Chain(levels=(COUNTY_FINANCE_OFFICER,), overdue_working_days=5, version=3)
    part, totals = submission()
    state, recorded = taken_in([part, totals, completed()], chain=chain)
    assert recorded[-1] == ApprovalOpened(
        roster_id="r-1",
        submission_no=1,
        levels=(COUNTY_FINANCE_OFFICER,),
        overdue_working_days=5,
        chain_version=3,
    )
    assert state is not None
    assert state.approval is not None
    assert state.approval.levels == (COUNTY_FINANCE_OFFICER,)
