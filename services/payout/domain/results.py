"""A bank's answer to one instruction, decided against the row's stream: idempotent and
order-free (issue 6; 002 §3(4), §3(5)).

- The first definite answer is applied: ``PaymentSucceeded`` (the row's only one), or
  ``PaymentFailed`` — followed, for a transient rejection with automatic attempts left, by the
  next attempt (a new instruction id) in the same append.
- A timeout or lost answer is ``PaymentOutcomeUnknown``: the instruction stays open to be
  queried, and nothing is re-issued until a definite answer comes.
- The same answer again is noted as a ``duplicate``; an unknown after a definite answer as
  ``late``; neither changes anything.
- An answer contradicting a definite one (a success after a failure of the same instruction, a
  failure after a success, a success of a row returned or paid by another instruction) is
  flagged for review (``PaymentFlaggedForReview``) and not applied.

An answer from another bank, or for another amount, is refused: nothing is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from contracts.base import Event
from contracts.events import (
    PaymentFailed,
    PaymentFlaggedForReview,
    PaymentInstructed,
    PaymentOutcomeUnknown,
    PaymentSucceeded,
)
from contracts.events.payout import ReviewConcern
from services.payout.domain import refusals as refuse
from services.payout.domain.events import BankResultNoted, Outcome
from services.payout.domain.instructions import AUTOMATIC_ATTEMPTS, next_attempt
from services.payout.domain.reasons import REASONS
from services.payout.domain.row import Attempt, RowPayment


@dataclass(frozen=True, slots=True)
class BankResult:
    """What the bank answered for one instruction: ``succeeded`` (with its reference and the
    value date), ``rejected`` (with a reason code of ``REASONS``) or ``unknown`` (the answer
    timed out or was lost; the bank's status inquiry answers with a definite one later)."""

    instruction_id: str
    bank_code: str
    outcome: Outcome
    amount_fen: int
    bank_reference: str | None = None
    value_date: date | None = None
    reason_code: str | None = None
    reason_text: str | None = None
    detail: str | None = None


TEXT_LIMIT = 100
"""Characters of an instruction id, bank reference, reason or detail an answer may carry."""


def check_result(result: BankResult) -> None:
    """Refuse an answer that is incomplete whatever the row: a success without its reference
    or value date, a rejection with a reason code outside the agreed table, texts too long."""
    texts = (result.instruction_id, result.bank_reference, result.reason_text, result.detail)
    if any(text is not None and len(text.strip()) > TEXT_LIMIT for text in texts):
        raise refuse.result_malformed(TEXT_LIMIT)
    if result.outcome == "succeeded" and (not result.bank_reference or not result.value_date):
        raise refuse.success_incomplete()
    if result.outcome == "rejected" and result.reason_code not in REASONS:
        raise refuse.reason_unknown(result.reason_code)


def decide_result(result: BankResult, row: RowPayment) -> list[Event]:
    """The events recording ``result`` on its row (never empty: every answer is recorded).
    ``result.instruction_id`` must be one of the row's attempts."""
    check_result(result)
    attempt = row.attempt(result.instruction_id)
    if attempt is None:
        raise refuse.instruction_not_found()
    if result.bank_code != row.first.bank_code:
        raise refuse.wrong_bank()
    if result.amount_fen != row.first.amount_fen:
        raise refuse.amount_mismatch(row.first.amount_fen, result.amount_fen)
    if attempt.status in ("pending", "unknown"):
        return _first_answer(result, row, attempt)
    return _later_answer(result, row, attempt)


def _first_answer(result: BankResult, row: RowPayment, attempt: Attempt) -> list[Event]:
    if result.outcome == "succeeded":
        if row.paid_by is not None:
            return _flag_once(result, row, "second_success")
        if row.returned:
            return _flag_once(result, row, "success_after_return")
        return [_succeeded(result, attempt)]
    if result.outcome == "rejected":
        return _rejected(result, row, attempt)
    if attempt.status == "unknown":
        return [_noted(result, row, "duplicate")]
    instruction = attempt.instruction
    return [
        PaymentOutcomeUnknown(
            instruction_id=instruction.instruction_id,
            roster_id=instruction.roster_id,
            row_no=instruction.row_no,
            attempt=instruction.attempt,
            township_code=instruction.township_code,
            bank_code=instruction.bank_code,
            amount_fen=instruction.amount_fen,
            detail=result.detail,
        )
    ]


def _later_answer(result: BankResult, row: RowPayment, attempt: Attempt) -> list[Event]:
    if result.outcome == "unknown":
        return [_noted(result, row, "late")]
    if attempt.status == "failed":
        if result.outcome == "rejected":
            return [_noted(result, row, "duplicate")]
        concern: ReviewConcern = "success_after_return" if row.returned else "success_after_failure"
        return _flag_once(result, row, concern)
    if result.outcome == "rejected":
        return _flag_once(result, row, "failure_after_success")
    if result.bank_reference == attempt.bank_reference:
        return [_noted(result, row, "duplicate")]
    return _flag_once(result, row, "conflicting_success")


def _flag_once(result: BankResult, row: RowPayment, concern: ReviewConcern) -> list[Event]:
    if (result.instruction_id, concern) in row.concerns:
        return [_noted(result, row, "duplicate")]
    return [_flagged(result, row, concern)]


def _succeeded(result: BankResult, attempt: Attempt) -> PaymentSucceeded:
    assert result.bank_reference is not None  # check_result
    return paid(attempt.instruction, result.bank_reference, result.value_date)


def paid(
    instruction: PaymentInstructed, bank_reference: str, value_date: date | None
) -> PaymentSucceeded:
    """The success of ``instruction``: the row paid by it, with the bank's reference."""
    return PaymentSucceeded(
        instruction_id=instruction.instruction_id,
        roster_id=instruction.roster_id,
        row_no=instruction.row_no,
        attempt=instruction.attempt,
        beneficiary_id=instruction.beneficiary_id,
        township_code=instruction.township_code,
        programme_code=instruction.programme_code,
        programme_name=instruction.programme_name,
        bank_code=instruction.bank_code,
        amount_fen=instruction.amount_fen,
        bank_reference=bank_reference,
        value_date=value_date,
    )


def _rejected(result: BankResult, row: RowPayment, attempt: Attempt) -> list[Event]:
    reason = REASONS[result.reason_code or ""]
    instruction = attempt.instruction
    failed = PaymentFailed(
        instruction_id=instruction.instruction_id,
        roster_id=instruction.roster_id,
        row_no=instruction.row_no,
        attempt=instruction.attempt,
        beneficiary_id=instruction.beneficiary_id,
        township_code=instruction.township_code,
        programme_code=instruction.programme_code,
        bank_code=instruction.bank_code,
        amount_fen=instruction.amount_fen,
        reason_code=reason.code,
        reason_text=(result.reason_text or "").strip() or reason.text,
        retryable=reason.retryable,
    )
    retry = (
        reason.retryable
        and attempt.instruction_id == row.latest.instruction_id
        and instruction.attempt < AUTOMATIC_ATTEMPTS
        and row.status in ("pending", "unknown")
    )
    if not retry:
        return [failed]
    return [failed, next_attempt(instruction, because="retry")]


def _noted(
    result: BankResult, row: RowPayment, disposition: Literal["duplicate", "late"]
) -> BankResultNoted:
    return BankResultNoted(
        instruction_id=result.instruction_id,
        roster_id=row.first.roster_id,
        row_no=row.first.row_no,
        outcome=result.outcome,
        disposition=disposition,
        bank_reference=result.bank_reference,
        reason_code=result.reason_code,
    )


def _flagged(
    result: BankResult, row: RowPayment, concern: ReviewConcern
) -> PaymentFlaggedForReview:
    first = row.first
    return PaymentFlaggedForReview(
        instruction_id=result.instruction_id,
        roster_id=first.roster_id,
        row_no=first.row_no,
        township_code=first.township_code,
        bank_code=first.bank_code,
        amount_fen=first.amount_fen,
        concern=concern,
        reported="succeeded" if result.outcome == "succeeded" else "rejected",
        bank_reference=result.bank_reference,
        reason_code=result.reason_code,
    )
