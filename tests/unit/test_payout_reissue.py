"""Re-issue (补发) and the year-end return as deciders: a row is re-issued only after a definite
rejection that a correction can clear without new payee data, never while an answer is
awaited or unknown; only definitely rejected rows go back to the treasury."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.events import ReturnedToTreasury
from contracts.refusals import Refused
from services.payout.domain.reissue import ReissueRow, decide_reissue
from services.payout.domain.results import decide_result
from services.payout.domain.row import RowPayment
from services.payout.domain.treasury import decide_return, year_end_of
from tests.unit.payout_samples import instructed_rows, rejected, succeeded, then, unknown

ID, AMOUNT = "r-1:1:1", 61_725
ORDER = ReissueRow("r-1", 1, "账户已解冻，经核实后补发")


def given(*results: object) -> RowPayment:
    row = instructed_rows()[0]
    for result in results:
        row = then(row, decide_result(result, row))  # type: ignore[arg-type]
    return row


def refusal(row: RowPayment, command: ReissueRow = ORDER) -> str:
    with pytest.raises(Refused) as refused:
        decide_reissue(command, row)
    return refused.value.code


def test_a_frozen_account_cleared_is_reissued_as_the_next_attempt() -> None:
    row = given(rejected(ID, AMOUNT, "account_frozen"))
    (event,) = decide_reissue(ORDER, row)
    assert (event.instruction_id, event.attempt, event.because) == ("r-1:1:2", 2, "reissue")
    assert (event.reissue_of, event.note) == (ID, ORDER.note)
    assert (event.amount_fen, event.account_no) == (AMOUNT, row.first.account_no)


def test_the_same_order_again_issues_nothing_more() -> None:
    row = given(rejected(ID, AMOUNT, "account_frozen"))
    reissued = then(row, decide_reissue(ORDER, row))
    assert decide_reissue(ORDER, reissued) == []


@pytest.mark.parametrize(
    ("results", "code"),
    [
        ((), "payout_instruction_open"),
        ((unknown(ID, AMOUNT),), "payout_outcome_unknown"),
        ((succeeded(ID, AMOUNT),), "payout_row_paid"),
        ((rejected(ID, AMOUNT, "account_closed"),), "payout_correction_required"),
        ((rejected(ID, AMOUNT, "name_mismatch"),), "payout_correction_required"),
        (
            (rejected(ID, AMOUNT, "account_frozen"), succeeded(ID, AMOUNT)),
            "payout_row_under_review",
        ),
    ],
    ids=["pending", "unknown", "paid", "closed", "name", "review"],
)
def test_a_row_is_not_reissued_unless_definitely_rejected_and_clearable(
    results: tuple[object, ...], code: str
) -> None:
    assert refusal(given(*results)) == code


def test_a_reissue_needs_a_note() -> None:
    row = given(rejected(ID, AMOUNT, "account_frozen"))
    assert refusal(row, ReissueRow("r-1", 1, "  ")) == "payout_note_required"


def test_only_a_definitely_rejected_row_is_returned_to_the_treasury() -> None:
    (returned,) = decide_return(given(rejected(ID, AMOUNT, "account_closed")))
    assert isinstance(returned, ReturnedToTreasury)
    assert (returned.amount_fen, returned.last_instruction_id) == (AMOUNT, ID)
    assert (returned.reason_code, returned.reason_text) == ("account_closed", "账户已销户")
    for held in (given(), given(unknown(ID, AMOUNT)), given(succeeded(ID, AMOUNT))):
        assert decide_return(held) == []


def test_a_returned_row_is_neither_returned_again_nor_reissued() -> None:
    row = given(rejected(ID, AMOUNT, "account_frozen"))
    returned = then(row, decide_return(row))
    assert returned.status == "returned"
    assert decide_return(returned) == []
    assert refusal(returned) == "payout_row_returned"


def test_a_success_after_the_return_is_flagged_not_applied() -> None:
    row = given(rejected(ID, AMOUNT, "account_closed"))
    returned = then(row, decide_return(row))
    after = then(returned, decide_result(succeeded(ID, AMOUNT), returned))
    assert after.status == "returned"
    assert after.concerns == ((ID, "success_after_return"),)


def test_the_year_end_starts_on_the_first_of_december() -> None:
    assert year_end_of(2025) == date(2025, 12, 1)
