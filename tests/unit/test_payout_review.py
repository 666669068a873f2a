"""Resolving a bank answer flagged for review, as a decider: the recorded outcome is kept, or
the reported one accepted where it can replace it (a success after a failure pays the row, a
failure after a success unpays it); a resolution is recorded once; the ledger stays whole."""

from __future__ import annotations

import pytest

from contracts.base import Event
from contracts.events import PaymentReversed, PaymentReviewResolved, PaymentSucceeded
from contracts.events.payout import ReviewConcern, ReviewDecision
from contracts.refusals import Refused
from services.payout.domain.ledger import ledger_of
from services.payout.domain.reissue import ReissueRow, decide_reissue
from services.payout.domain.results import BankResult, decide_result
from services.payout.domain.review import ResolveReview, decide_review
from services.payout.domain.row import RowPayment
from tests.unit.payout_samples import instructed_rows, rejected, succeeded, then

ID, AMOUNT = "r-1:1:1", 61_725


def history(*results: BankResult) -> tuple[RowPayment, list[Event]]:
    row = instructed_rows()[0]
    events: list[Event] = [row.first]
    for result in results:
        decided = decide_result(result, row)
        row = then(row, decided)
        events.extend(decided)
    return row, events


def resolve(
    concern: ReviewConcern,
    decision: ReviewDecision,
    *,
    instruction_id: str = ID,
    note: str = "经与开户行核对流水确认",
) -> ResolveReview:
    return ResolveReview("r-1", 1, instruction_id, concern, decision, note, "finance-1")


def decided(command: ResolveReview, row: RowPayment, events: list[Event]) -> RowPayment:
    return then(row, decide_review(command, row, events))


def refusal(command: ResolveReview, row: RowPayment, events: list[Event]) -> str:
    with pytest.raises(Refused) as refused:
        decide_review(command, row, events)
    return refused.value.code


def test_a_success_after_a_failure_accepted_pays_the_row_by_that_instruction() -> None:
    row, events = history(rejected(ID, AMOUNT, "account_frozen"), succeeded(ID, AMOUNT))
    assert row.status == "review"
    resolved, paid = decide_review(resolve("success_after_failure", "accept_reported"), row, events)
    assert isinstance(resolved, PaymentReviewResolved)
    assert isinstance(paid, PaymentSucceeded)
    assert (paid.instruction_id, paid.bank_reference, paid.amount_fen) == (ID, "B-1", AMOUNT)
    after = then(row, [resolved, paid])
    assert (after.status, after.paid_by, after.concerns) == ("paid", ID, ())


def test_a_success_after_a_failure_kept_as_recorded_leaves_the_row_failed_and_reissuable() -> None:
    row, events = history(rejected(ID, AMOUNT, "account_frozen"), succeeded(ID, AMOUNT))
    after = decided(resolve("success_after_failure", "keep_recorded"), row, events)
    assert (after.status, after.paid_by) == ("failed", None)
    (reissue,) = decide_reissue(ReissueRow("r-1", 1, "银行确认未入账，补发"), after)
    assert reissue.instruction_id == "r-1:1:2"


def test_a_failure_after_a_success_accepted_unpays_the_row_with_the_banks_reason() -> None:
    row, events = history(succeeded(ID, AMOUNT), rejected(ID, AMOUNT, "account_closed"))
    assert (row.status, row.concerns) == ("paid", ((ID, "failure_after_success"),))
    resolved, reversed_ = decide_review(
        resolve("failure_after_success", "accept_reported"), row, events
    )
    assert isinstance(reversed_, PaymentReversed)
    assert (reversed_.reason_code, reversed_.amount_fen) == ("account_closed", AMOUNT)
    after = then(row, [resolved, reversed_])
    assert (after.status, after.paid_by, after.latest.reason_code) == (
        "failed",
        None,
        "account_closed",
    )
    ledger = ledger_of(1, AMOUNT, [(after.status, 1, after.first.amount_fen)])
    assert (ledger.succeeded_fen, ledger.outstanding_fen, ledger.balanced) == (0, AMOUNT, True)


def test_a_failure_after_a_success_kept_as_recorded_leaves_the_row_paid() -> None:
    row, events = history(succeeded(ID, AMOUNT), rejected(ID, AMOUNT, "account_closed"))
    after = decided(resolve("failure_after_success", "keep_recorded"), row, events)
    assert (after.status, after.paid_by) == ("paid", ID)


def test_a_second_success_can_only_be_kept_as_recorded() -> None:
    row, events = history(succeeded(ID, AMOUNT), succeeded(ID, AMOUNT, ref="B-2"))
    assert row.concerns == ((ID, "conflicting_success"),)
    command = resolve("conflicting_success", "accept_reported")
    assert refusal(command, row, events) == "payout_review_not_acceptable"
    after = decided(resolve("conflicting_success", "keep_recorded"), row, events)
    assert (after.status, after.latest.bank_reference) == ("paid", "B-1")


def test_the_same_resolution_again_records_nothing_and_another_is_refused() -> None:
    row, events = history(rejected(ID, AMOUNT, "account_frozen"), succeeded(ID, AMOUNT))
    command = resolve("success_after_failure", "keep_recorded")
    resolution = decide_review(command, row, events)
    row, events = then(row, resolution), [*events, *resolution]
    assert decide_review(command, row, events) == []
    other = resolve("success_after_failure", "accept_reported")
    assert refusal(other, row, events) == "payout_review_resolved"


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (resolve("failure_after_success", "keep_recorded"), "payout_review_not_found"),
        (
            resolve("success_after_failure", "keep_recorded", instruction_id="r-1:1:9"),
            "payout_review_not_found",
        ),
        (resolve("success_after_failure", "keep_recorded", note="  "), "payout_note_required"),
    ],
    ids=["other-concern", "other-instruction", "no-note"],
)
def test_a_resolution_names_an_open_flag_and_says_why(command: ResolveReview, code: str) -> None:
    row, events = history(rejected(ID, AMOUNT, "account_frozen"), succeeded(ID, AMOUNT))
    assert refusal(command, row, events) == code


def test_a_success_is_not_accepted_while_a_later_attempt_is_open() -> None:
    row, events = history(rejected(ID, AMOUNT, "account_frozen"))
    reissue = decide_reissue(ReissueRow("r-1", 1, "已解冻，补发"), row)
    row, events = then(row, reissue), [*events, *reissue]
    late = decide_result(succeeded(ID, AMOUNT), row)
    row, events = then(row, late), [*events, *late]
    command = resolve("success_after_failure", "accept_reported")
    assert refusal(command, row, events) == "payout_review_later_attempt_open"
