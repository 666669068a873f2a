"""One roster row's payment as its stream says it, folded: every attempt (instruction) with its
outcome, whether the row was paid (by which instruction) or returned to the treasury, and the
contradictions the bank's answers raised.

A row is ``paid`` or ``returned`` for good (a success is undone only by a person accepting, on
review, the bank's report that it did not stand: ``PaymentReversed``); otherwise it is
``review`` while a contradiction is unresolved, else where its latest attempt stands:
``pending`` (no answer yet), ``unknown`` (the answer was lost: to be queried) or ``failed``
(definitely rejected, nothing open).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from contracts.events import (
    PaymentFailed,
    PaymentFlaggedForReview,
    PaymentInstructed,
    PaymentOutcomeUnknown,
    PaymentReversed,
    PaymentReviewResolved,
    PaymentSucceeded,
    ReturnedToTreasury,
)
from services.payout.domain.reissue_events import ReissueRequested

AttemptStatus = Literal["pending", "unknown", "succeeded", "failed"]
RowStatus = Literal["pending", "unknown", "failed", "review", "paid", "returned"]
OUTSTANDING: tuple[RowStatus, ...] = ("pending", "unknown", "failed", "review")


@dataclass(frozen=True, slots=True)
class Attempt:
    instruction: PaymentInstructed
    status: AttemptStatus = "pending"
    bank_reference: str | None = None
    reason_code: str | None = None
    reason_text: str | None = None
    retryable: bool = False

    @property
    def instruction_id(self) -> str:
        return self.instruction.instruction_id


@dataclass(frozen=True, slots=True)
class RowPayment:
    attempts: tuple[Attempt, ...]
    paid_by: str | None = None
    returned: bool = False
    concerns: tuple[tuple[str, str], ...] = ()
    """(instruction id, concern) of each answer flagged for review."""
    request: ReissueRequested | None = None
    """The owning office's open request to re-issue the latest (rejected) attempt."""

    @property
    def first(self) -> PaymentInstructed:
        """The row as approved: payee, amount, round, programme, township."""
        return self.attempts[0].instruction

    @property
    def latest(self) -> Attempt:
        return self.attempts[-1]

    @property
    def status(self) -> RowStatus:
        if self.paid_by is not None:
            return "paid"
        if self.returned:
            return "returned"
        if self.concerns:
            return "review"
        latest = self.latest.status
        return "paid" if latest == "succeeded" else latest

    def attempt(self, instruction_id: str) -> Attempt | None:
        return next((a for a in self.attempts if a.instruction_id == instruction_id), None)


def evolve(row: RowPayment | None, event: object) -> RowPayment | None:
    """The row after ``event`` (a new value; ``row`` is left as it was)."""
    if isinstance(event, PaymentInstructed):
        if row is None:
            return RowPayment(attempts=(Attempt(event),))
        return replace(row, attempts=(*row.attempts, Attempt(event)), request=None)
    if row is None:
        return None
    if isinstance(event, ReissueRequested):
        return replace(row, request=event)
    if isinstance(event, PaymentSucceeded):
        row = _answered(row, event.instruction_id, status="succeeded", ref=event.bank_reference)
        return replace(row, paid_by=event.instruction_id)
    if isinstance(event, PaymentFailed):
        return _answered(
            row,
            event.instruction_id,
            status="failed",
            reason=(event.reason_code, event.reason_text),
            retryable=event.retryable,
        )
    if isinstance(event, PaymentOutcomeUnknown):
        return _answered(row, event.instruction_id, status="unknown")
    if isinstance(event, PaymentFlaggedForReview):
        return replace(row, concerns=(*row.concerns, (event.instruction_id, event.concern)))
    if isinstance(event, PaymentReviewResolved):
        resolved = (event.instruction_id, event.concern)
        return replace(row, concerns=tuple(c for c in row.concerns if c != resolved))
    if isinstance(event, PaymentReversed):
        row = _answered(
            row,
            event.instruction_id,
            status="failed",
            reason=(event.reason_code, event.reason_text),
        )
        paid_by = None if row.paid_by == event.instruction_id else row.paid_by
        return replace(row, paid_by=paid_by)
    if isinstance(event, ReturnedToTreasury):
        return replace(row, returned=True)
    return row


def _answered(
    row: RowPayment,
    instruction_id: str,
    *,
    status: AttemptStatus,
    ref: str | None = None,
    reason: tuple[str, str] | None = None,
    retryable: bool = False,
) -> RowPayment:
    code, text = reason or (None, None)
    attempts = tuple(
        replace(
            a,
            status=status,
            bank_reference=ref,
            reason_code=code,
            reason_text=text,
            retryable=retryable,
        )
        if a.instruction_id == instruction_id
        else a
        for a in row.attempts
    )
    return replace(row, attempts=attempts)
