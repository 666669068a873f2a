"""Re-issue (补发) and the year-end return as deciders: a row is re-issued only after a definite
rejection, never while an answer is awaited or unknown; a rejection needing the payee
corrected waits for the registry's corrected payee and pays it; under the office-request rule
finance approves exactly what the owning office asked, never its own request; only definitely
rejected rows go back to the treasury."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from contracts.events import ReturnedToTreasury
from contracts.pii import CardAccountNo
from contracts.refusals import Refused
from services.payout.domain.instructions import batch_id
from services.payout.domain.payee import Payee
from services.payout.domain.reissue import (
    ReissueRow,
    RequestReissue,
    decide_reissue,
    decide_request,
)
from services.payout.domain.results import decide_result
from services.payout.domain.row import RowPayment
from services.payout.domain.treasury import decide_return, year_end_of
from tests.unit.contract_samples import ACCOUNT_NO
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


NEW_ACCOUNT = CardAccountNo("6228480000000000017")
AS_APPROVED = Payee("b-1", "阿依古丽", "ABC", CardAccountNo(ACCOUNT_NO), "阿依古丽", "open")
CORRECTED = Payee("b-1", "阿依古丽", "RCC", NEW_ACCOUNT, "阿依古丽", "unverified")


def test_a_closed_account_is_reissued_to_the_account_the_registry_declared_since() -> None:
    row = given(rejected(ID, AMOUNT, "account_closed"))
    (event,) = decide_reissue(ORDER, row, payee=CORRECTED)
    assert (event.bank_code, event.account_no, event.amount_fen) == ("RCC", NEW_ACCOUNT, AMOUNT)
    assert event.batch_id == batch_id("r-1", "RCC") != row.first.batch_id
    assert (event.instruction_id, event.reissue_of) == ("r-1:1:2", ID)


def test_a_name_mismatch_is_reissued_once_the_registry_holds_the_corrected_name() -> None:
    row = given(rejected(ID, AMOUNT, "name_mismatch"))
    renamed = replace(AS_APPROVED, holder_name="阿依古丽·买买提")
    (event,) = decide_reissue(ORDER, row, payee=renamed)
    assert (event.name, event.account_no) == ("阿依古丽·买买提", CardAccountNo(ACCOUNT_NO))


@pytest.mark.parametrize(
    ("reason", "payee", "code"),
    [
        ("account_closed", AS_APPROVED, "payout_correction_required"),
        ("account_closed", None, "payout_correction_required"),
        ("account_closed", replace(CORRECTED, account_status="closed"), "payout_payee_not_payable"),
        ("account_closed", replace(CORRECTED, active=False), "payout_payee_not_payable"),
        (
            "account_frozen",
            replace(AS_APPROVED, account_status="frozen"),
            "payout_payee_not_payable",
        ),
    ],
    ids=["unchanged", "unknown-payee", "new-account-closed", "deceased", "still-frozen"],
)
def test_a_reissue_waits_for_a_payable_corrected_payee(
    reason: str, payee: Payee | None, code: str
) -> None:
    row = given(rejected(ID, AMOUNT, reason))
    with pytest.raises(Refused) as refused:
        decide_reissue(ORDER, row, payee=payee)
    assert refused.value.code == code


def test_under_the_office_request_rule_finance_approves_what_the_office_asked() -> None:
    row = given(rejected(ID, AMOUNT, "account_closed"))
    order = replace(ORDER, ordered_by="u-finance")
    with pytest.raises(Refused, match="payout_reissue_request_required"):
        decide_reissue(order, row, payee=CORRECTED, rule="office_request")
    asked = decide_request(RequestReissue("r-1", 1, "已重新申报账户", "u-op"), row, payee=CORRECTED)
    row = then(row, asked)
    assert row.request is not None
    assert (row.request.bank_code, row.request.account_no) == ("RCC", NEW_ACCOUNT)
    (event,) = decide_reissue(order, row, payee=CORRECTED, rule="office_request")
    assert event.bank_code == "RCC"
    assert then(row, [event]).request is None


def test_under_the_office_request_rule_the_asker_never_approves() -> None:
    row = given(rejected(ID, AMOUNT, "account_closed"))
    row = then(
        row, decide_request(RequestReissue("r-1", 1, "已更正", "u-op"), row, payee=CORRECTED)
    )
    with pytest.raises(Refused, match="payout_reissue_same_person"):
        decide_reissue(
            replace(ORDER, ordered_by="u-op"), row, payee=CORRECTED, rule="office_request"
        )


def test_a_request_is_stale_once_the_payee_changed_again() -> None:
    row = given(rejected(ID, AMOUNT, "account_closed"))
    row = then(
        row, decide_request(RequestReissue("r-1", 1, "已更正", "u-op"), row, payee=CORRECTED)
    )
    again = replace(CORRECTED, account_no=CardAccountNo("6228480000000000025"))
    with pytest.raises(Refused, match="payout_reissue_request_stale"):
        decide_reissue(
            replace(ORDER, ordered_by="u-finance"), row, payee=again, rule="office_request"
        )


def test_the_same_request_again_records_nothing() -> None:
    row = given(rejected(ID, AMOUNT, "account_closed"))
    ask = RequestReissue("r-1", 1, "已更正", "u-op")
    row = then(row, decide_request(ask, row, payee=CORRECTED))
    assert decide_request(ask, row, payee=CORRECTED) == []
