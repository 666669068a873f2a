"""Bank answers as a decider (Given a row / When the bank answers / Then these events): the
first definite answer is applied once; a timeout is unknown, not failed; transient rejections
are retried under a new id, permanent ones wait; duplicates and late answers are recorded
and change nothing; contradictions are flagged for review, never applied."""

from __future__ import annotations

import pytest

from contracts.events import (
    PaymentFailed,
    PaymentFlaggedForReview,
    PaymentInstructed,
    PaymentOutcomeUnknown,
    PaymentSucceeded,
)
from contracts.refusals import Refused
from services.payout.domain.events import BankResultNoted
from services.payout.domain.instructions import AUTOMATIC_ATTEMPTS
from services.payout.domain.results import BankResult, decide_result
from services.payout.domain.row import RowPayment
from tests.unit.payout_samples import instructed_rows, rejected, succeeded, then, unknown

ID, AMOUNT = "r-1:1:1", 61_725


@pytest.fixture
def row() -> RowPayment:
    return instructed_rows()[0]


def answered(row: RowPayment, *results: BankResult) -> RowPayment:
    for result in results:
        row = then(row, decide_result(result, row))
    return row


def test_a_success_is_applied_once_and_the_row_is_paid(row: RowPayment) -> None:
    (event,) = decide_result(succeeded(ID, AMOUNT), row)
    assert isinstance(event, PaymentSucceeded)
    assert (event.bank_reference, event.amount_fen, event.attempt) == ("B-1", AMOUNT, 1)
    assert event.programme_name == "耕地地力保护补贴"
    paid = then(row, [event])
    assert (paid.status, paid.paid_by) == ("paid", ID)


def test_the_same_success_again_is_a_recorded_duplicate(row: RowPayment) -> None:
    paid = answered(row, succeeded(ID, AMOUNT))
    (event,) = decide_result(succeeded(ID, AMOUNT), paid)
    assert isinstance(event, BankResultNoted)
    assert (event.disposition, event.outcome) == ("duplicate", "succeeded")
    assert then(paid, [event]) == paid


def test_a_transient_rejection_is_retried_under_the_next_id(row: RowPayment) -> None:
    failed, retry = decide_result(rejected(ID, AMOUNT, "bank_system_busy"), row)
    assert isinstance(failed, PaymentFailed)
    assert failed.retryable
    assert isinstance(retry, PaymentInstructed)
    assert (retry.instruction_id, retry.reissue_of, retry.because) == ("r-1:1:2", ID, "retry")
    assert (retry.amount_fen, retry.account_no) == (AMOUNT, row.first.account_no)
    assert then(row, [failed, retry]).status == "pending"


def test_automatic_retries_stop_after_the_last_automatic_attempt(row: RowPayment) -> None:
    for attempt in range(1, AUTOMATIC_ATTEMPTS):
        row = answered(row, rejected(f"r-1:1:{attempt}", AMOUNT, "channel_error"))
    last = f"r-1:1:{AUTOMATIC_ATTEMPTS}"
    (failed,) = decide_result(rejected(last, AMOUNT, "channel_error"), row)
    assert isinstance(failed, PaymentFailed)
    assert then(row, [failed]).status == "failed"


@pytest.mark.parametrize(
    "reason",
    ["account_closed", "account_not_found", "invalid_account", "name_mismatch", "account_frozen"],
)
def test_a_permanent_rejection_waits_for_correction(row: RowPayment, reason: str) -> None:
    (failed,) = decide_result(rejected(ID, AMOUNT, reason), row)
    assert isinstance(failed, PaymentFailed)
    assert not failed.retryable
    assert failed.reason_code == reason
    assert failed.reason_text
    assert (failed.township_code, failed.programme_code) == ("650102001", "GDLS")
    assert then(row, [failed]).status == "failed"


def test_a_timeout_is_unknown_not_failed_and_nothing_is_reissued(row: RowPayment) -> None:
    (event,) = decide_result(unknown(ID, AMOUNT), row)
    assert isinstance(event, PaymentOutcomeUnknown)
    after = then(row, [event])
    assert after.status == "unknown"
    assert len(after.attempts) == 1
    (again,) = decide_result(unknown(ID, AMOUNT), after)
    assert isinstance(again, BankResultNoted)
    assert again.disposition == "duplicate"


def test_an_unknown_outcome_is_settled_by_the_definite_answer(row: RowPayment) -> None:
    after = answered(row, unknown(ID, AMOUNT), succeeded(ID, AMOUNT))
    assert after.status == "paid"


def test_an_unknown_after_a_definite_answer_is_late(row: RowPayment) -> None:
    paid = answered(row, succeeded(ID, AMOUNT))
    (event,) = decide_result(unknown(ID, AMOUNT), paid)
    assert isinstance(event, BankResultNoted)
    assert event.disposition == "late"


def test_a_success_after_a_failure_of_the_same_instruction_is_flagged_and_holds_the_row(
    row: RowPayment,
) -> None:
    retrying = answered(row, rejected(ID, AMOUNT, "bank_system_busy"))
    (flag,) = decide_result(succeeded(ID, AMOUNT), retrying)
    assert isinstance(flag, PaymentFlaggedForReview)
    assert (flag.concern, flag.reported) == ("success_after_failure", "succeeded")
    held = then(retrying, [flag])
    assert (held.status, held.paid_by) == ("review", None)
    (again,) = decide_result(succeeded(ID, AMOUNT), held)
    assert isinstance(again, BankResultNoted)
    assert again.disposition == "duplicate"


def test_a_failure_after_a_success_is_flagged_and_the_row_stays_paid(row: RowPayment) -> None:
    paid = answered(row, succeeded(ID, AMOUNT))
    (flag,) = decide_result(rejected(ID, AMOUNT), paid)
    assert isinstance(flag, PaymentFlaggedForReview)
    assert flag.concern == "failure_after_success"
    assert then(paid, [flag]).status == "paid"


def test_a_second_success_of_a_paid_row_is_flagged_never_applied(row: RowPayment) -> None:
    retried = answered(row, rejected(ID, AMOUNT, "bank_system_busy"), succeeded("r-1:1:2", AMOUNT))
    (flag,) = decide_result(succeeded(ID, AMOUNT, ref="B-2"), retried)
    assert isinstance(flag, PaymentFlaggedForReview)
    assert retried.paid_by == "r-1:1:2"


def test_a_success_under_another_bank_reference_is_flagged(row: RowPayment) -> None:
    paid = answered(row, succeeded(ID, AMOUNT, ref="B-1"))
    (flag,) = decide_result(succeeded(ID, AMOUNT, ref="B-9"), paid)
    assert isinstance(flag, PaymentFlaggedForReview)
    assert flag.concern == "conflicting_success"


@pytest.mark.parametrize(
    ("result", "code"),
    [
        (succeeded(ID, AMOUNT, bank="RCC"), "payout_wrong_bank"),
        (succeeded(ID, AMOUNT + 1), "payout_amount_mismatch"),
        (rejected(ID, AMOUNT, "whatever"), "payout_reason_unknown"),
        (
            BankResult(ID, "ABC", "succeeded", AMOUNT, bank_reference="B-1"),
            "payout_success_incomplete",
        ),
        (succeeded("r-1:1:9", AMOUNT), "payout_instruction_not_found"),
        (succeeded(ID, AMOUNT, ref="B" * 201), "payout_result_malformed"),
    ],
)
def test_a_bad_answer_is_refused_with_a_code(
    row: RowPayment, result: BankResult, code: str
) -> None:
    with pytest.raises(Refused) as refused:
        decide_result(result, row)
    assert refused.value.code == code
