"""A person resolves a bank answer flagged for review (issue 6: "a success after a failure for
the same instruction is flagged for review").

A flag stops the row: its open instruction is withheld from the bank, it is neither re-issued
nor returned. Resolving it is a decision on the evidence (the bank's statement, a call to the
branch), with a note:

- ``keep_recorded``: the row's recorded outcome stands; the contradicting answer is set aside.
  Always possible. (A second or conflicting success of a paid row, or a success of a returned
  row, is money paid twice or after the return: the row stays as recorded and the recovery of
  the overpayment is done with the bank outside this system — the note says how.)
- ``accept_reported``: the bank's later answer replaces the recorded one. A success after a
  failure of the same instruction becomes the row's ``PaymentSucceeded`` — only while no later
  attempt of the row is open or paid (it could be paid as well: wait for its answer). A failure
  after the success becomes ``PaymentReversed``: the row is unpaid again, with the bank's
  reason, and is corrected and re-issued like any failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contracts.base import Event
from contracts.events import (
    PaymentFlaggedForReview,
    PaymentReversed,
    PaymentReviewResolved,
    PaymentSucceeded,
)
from contracts.events.payout import ReviewConcern, ReviewDecision
from services.payout.domain import refusals as refuse
from services.payout.domain.reasons import REASONS
from services.payout.domain.results import paid
from services.payout.domain.row import RowPayment

ACCEPTABLE: frozenset[ReviewConcern] = frozenset({"success_after_failure", "failure_after_success"})
"""The concerns whose reported answer can replace the recorded one."""


@dataclass(frozen=True, slots=True)
class ResolveReview:
    roster_id: str
    row_no: int
    instruction_id: str
    concern: ReviewConcern
    decision: ReviewDecision
    note: str
    resolved_by: str


def decide_review(
    command: ResolveReview, row: RowPayment | None, history: Sequence[Event]
) -> list[Event]:
    """The events resolving one flag of ``row``; ``history`` is the row's stream (the flag
    holds what the bank reported). The same resolution again (a retried request) is answered
    with no events; another one of a flag already resolved is refused."""
    if row is None:
        raise refuse.row_not_found(command.row_no)
    note = command.note.strip()
    if not note:
        raise refuse.note_required()
    key = (command.instruction_id, command.concern)
    flag = next(
        (
            e
            for e in reversed(history)
            if isinstance(e, PaymentFlaggedForReview) and (e.instruction_id, e.concern) == key
        ),
        None,
    )
    if flag is None:
        raise refuse.review_not_found()
    if key not in row.concerns:
        if any(_same_resolution(e, command, note) for e in history):
            return []
        raise refuse.review_resolved()
    resolved = PaymentReviewResolved(
        instruction_id=command.instruction_id,
        roster_id=row.first.roster_id,
        row_no=row.first.row_no,
        township_code=row.first.township_code,
        concern=command.concern,
        decision=command.decision,
        note=note,
        resolved_by=command.resolved_by,
    )
    if command.decision == "keep_recorded":
        return [resolved]
    if command.concern not in ACCEPTABLE:
        raise refuse.review_not_acceptable()
    if command.concern == "success_after_failure":
        return [resolved, _succeeded(row, flag)]
    return [resolved, _reversed(row, flag)]


def _same_resolution(event: Event, command: ResolveReview, note: str) -> bool:
    return (
        isinstance(event, PaymentReviewResolved)
        and (event.instruction_id, event.concern) == (command.instruction_id, command.concern)
        and (event.decision, event.note, event.resolved_by)
        == (command.decision, note, command.resolved_by)
    )


def _succeeded(row: RowPayment, flag: PaymentFlaggedForReview) -> PaymentSucceeded:
    attempt = row.attempt(flag.instruction_id)
    assert attempt is not None  # a flag names an attempt of its row
    if row.paid_by is not None or row.returned:
        raise refuse.review_row_settled()
    later = row.attempts[row.attempts.index(attempt) + 1 :]
    if any(a.status in ("pending", "unknown", "succeeded") for a in later):
        raise refuse.review_later_attempt_open()
    if flag.bank_reference is None:
        raise refuse.success_incomplete()
    return paid(attempt.instruction, flag.bank_reference, None)


def _reversed(row: RowPayment, flag: PaymentFlaggedForReview) -> PaymentReversed:
    attempt = row.attempt(flag.instruction_id)
    assert attempt is not None
    if row.paid_by != flag.instruction_id:
        raise refuse.review_row_settled()
    reason = REASONS[flag.reason_code or ""]  # a reported rejection names an agreed reason
    instruction = attempt.instruction
    return PaymentReversed(
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
        reason_text=reason.text,
    )
