"""Integration events published by the payout service: payment instructions of approved rows
and what the agent bank answered (002 §2(5), §3(4); 001 art.10(11)).

Streams: ``payout-<roster_id>`` (the round: its batch headers, one per agent bank) and
``payment-<roster_id>-<row_no>`` (one roster row: every instruction issued for it and every
answer). A row is paid at most once because its one stream holds at most one
``PaymentSucceeded``, appended at the version the decision was made on. Amounts are integer fen.

An instruction id is ``<roster_id>:<row_no>:<attempt>``: the same row and attempt always yield
the same id, the idempotency key under which the bank pays at most once; a re-issue (补发) is
the next attempt, a new id.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from contracts.base import Event
from contracts.fields import Code, Count, Fen, Id, Text
from contracts.pii import CardAccountNo

InstructionId = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_:.\-]+$")
]
"""``<roster_id>:<row_no>:<attempt>`` (v1 placeholders held any id)."""
Attempt = Annotated[int, Field(strict=True, ge=1)]
UserId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
InstructedBecause = Literal["approved", "retry", "reissue"]
ReviewConcern = Literal[
    "success_after_failure",
    "failure_after_success",
    "success_after_return",
    "second_success",
    "conflicting_success",
]
ReviewDecision = Literal["keep_recorded", "accept_reported"]


class PaymentBatchIssued(Event):
    """The header of one agent bank's batch of an approved round: how many rows, how much.

    Guarantees: the round's approved rows of ``bank_code`` were each given one instruction
    (``PaymentInstructed``, attempt 1) in this batch; over all batches of the round the counts
    and totals are the approval's (``BatchApproved``), to the fen.
    """

    event_type = "PaymentBatchIssued"
    schema_version = 1

    batch_id: Id
    roster_id: Id
    round_id: Id
    submission_no: Annotated[int, Field(strict=True, ge=1)]
    programme_code: Code
    programme_name: Text
    """The programme's standard name (what the bank's SMS shows, 002 §2(5))."""
    township_code: Code
    bank_code: Code
    row_count: Annotated[int, Field(strict=True, ge=1)]
    total_fen: Fen


class PaymentInstructed(Event):
    """One instruction to the agent bank: pay this row's amount into this card account.

    Guarantees: the row's amount and card account are those of the approved submission; a
    row has at most one instruction awaiting an answer at a time, and the next attempt is
    issued only after a definite rejection of the previous one (never after a timeout).
    ``because`` says why: the round was ``approved``; a transient rejection is ``retry``-ed
    automatically; a person ordered a ``reissue`` (补发) after a failure.
    """

    event_type = "PaymentInstructed"
    schema_version = 1

    instruction_id: InstructionId
    roster_id: Id
    row_no: Count
    attempt: Attempt
    batch_id: Id
    round_id: Id
    programme_code: Code
    programme_name: Text
    township_code: Code
    village_code: Code
    beneficiary_id: Id
    name: Text
    bank_code: Code
    account_no: CardAccountNo
    amount_fen: Fen
    because: InstructedBecause
    reissue_of: InstructionId | None = None
    note: Text | None = None
    """Why a person re-issued it."""


class PaymentSucceeded(Event):
    """The agent bank credited the row's amount to the beneficiary's card account.

    Guarantees: final, and the only one of its row: no other instruction for the row is
    issued after it. ``value_date`` is the bank's date of the credit (None only in events of
    the v1 placeholder, which no release wrote).
    """

    event_type = "PaymentSucceeded"
    schema_version = 2

    instruction_id: InstructionId
    roster_id: Id
    row_no: Count
    attempt: Attempt
    beneficiary_id: Id
    township_code: Code
    programme_code: Code
    programme_name: Text
    bank_code: Code
    amount_fen: Fen
    bank_reference: Text
    value_date: date | None = None


class PaymentFailed(Event):
    """The agent bank definitely rejected one instruction (account closed, name mismatch,
    frozen, system busy…): nothing was paid under it.

    Guarantees: ``retryable`` rejections (transient) are followed by the next attempt in the
    same append while automatic attempts remain; the others wait for the owning department
    and township (``programme_code``, ``township_code``) to correct the row, or are returned to
    the treasury at year end.
    """

    event_type = "PaymentFailed"
    schema_version = 2

    instruction_id: InstructionId
    roster_id: Id
    row_no: Count
    attempt: Attempt
    beneficiary_id: Id
    township_code: Code
    programme_code: Code
    bank_code: Code
    amount_fen: Fen
    reason_code: Code
    reason_text: Text
    retryable: bool


class PaymentOutcomeUnknown(Event):
    """The bank's answer to an instruction was lost or timed out: it may or may not have paid.

    Guarantees: the instruction stays open and is queried (the bank is asked again under the
    same id, on which it pays at most once); the row is never re-issued until a definite
    answer comes.
    """

    event_type = "PaymentOutcomeUnknown"
    schema_version = 1

    instruction_id: InstructionId
    roster_id: Id
    row_no: Count
    attempt: Attempt
    township_code: Code
    bank_code: Code
    amount_fen: Fen
    detail: Text | None = None


class PaymentFlaggedForReview(Event):
    """A bank answer contradicted what the row's stream already holds (a success after a
    failure of the same instruction, a failure after a success, a success of a row returned
    to the treasury or already paid by another instruction): recorded, not applied.

    Guarantees: the row's outcome is unchanged; until a person reviews it, the row is not
    re-issued, not returned, and its open instructions are not handed to the bank.
    """

    event_type = "PaymentFlaggedForReview"
    schema_version = 1

    instruction_id: InstructionId
    roster_id: Id
    row_no: Count
    township_code: Code
    bank_code: Code
    amount_fen: Fen
    concern: ReviewConcern
    reported: Literal["succeeded", "rejected"]
    bank_reference: Text | None = None
    reason_code: Code | None = None


class PaymentReviewResolved(Event):
    """A person resolved an answer flagged for review: ``keep_recorded`` (the row's recorded
    outcome stands, the contradicting answer is set aside) or ``accept_reported`` (the bank's
    later answer replaces the recorded one: a ``PaymentSucceeded`` or ``PaymentReversed``
    follows in the same append).

    Guarantees: names one flag (instruction and concern) still open on the row; appended by
    someone allowed to make payments in the row's township, with a note saying why.
    """

    event_type = "PaymentReviewResolved"
    schema_version = 1

    instruction_id: InstructionId
    roster_id: Id
    row_no: Count
    township_code: Code
    concern: ReviewConcern
    decision: ReviewDecision
    note: Text
    resolved_by: UserId


class PaymentReversed(Event):
    """A success recorded for an instruction did not stand: the bank reported the credit
    failed or came back (e.g. the account was closed after it was credited), and a person
    accepted that report on review. The row is unpaid again, its instruction rejected with
    the bank's reason, and it is corrected and re-issued like any failure.

    Guarantees: follows a ``PaymentReviewResolved`` (``accept_reported``) in the same append;
    the row's earlier ``PaymentSucceeded`` names the same instruction.
    """

    event_type = "PaymentReversed"
    schema_version = 1

    instruction_id: InstructionId
    roster_id: Id
    row_no: Count
    attempt: Attempt
    beneficiary_id: Id
    township_code: Code
    programme_code: Code
    bank_code: Code
    amount_fen: Fen
    reason_code: Code
    reason_text: Text


class ReturnedToTreasury(Event):
    """A row that could not be paid within the year was returned to the treasury (退回国库,
    001 art.10(11)), with the reason of its last failure.

    Guarantees: final; its last instruction was definitely rejected and none is open, and the
    row will never be paid from this roster (a correction comes back as a new roster).
    """

    event_type = "ReturnedToTreasury"
    schema_version = 2

    roster_id: Id
    row_no: Count
    round_id: Id
    beneficiary_id: Id
    township_code: Code
    programme_code: Code
    amount_fen: Fen
    last_instruction_id: InstructionId | None
    reason_code: Code
    reason_text: Text


def _row_no(row_id: object) -> int:
    return int(row_id) if isinstance(row_id, str) and row_id.isdigit() else 0


def _v1_row(data: dict[str, Any]) -> dict[str, Any]:
    """What every v1 placeholder lacked (no release wrote one): the row by number, read as 0
    when its id was not one, and the places it belongs to as ``unknown``."""
    rest = {key: value for key, value in data.items() if key != "row_id"}
    return {
        **rest,
        "row_no": _row_no(data.get("row_id")),
        "township_code": "unknown",
        "programme_code": "unknown",
    }


def payment_succeeded_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 knew the instruction, roster, row id, amount and bank reference only."""
    return {
        **_v1_row(data),
        "attempt": 1,
        "beneficiary_id": "unknown",
        "programme_name": "unknown",
        "bank_code": "unknown",
        "value_date": None,
    }


def payment_failed_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 carried no attempt, payee or kind of rejection: read as a first attempt whose
    rejection waits for a person (never retried automatically)."""
    return {
        **_v1_row(data),
        "attempt": 1,
        "beneficiary_id": "unknown",
        "bank_code": "unknown",
        "retryable": False,
    }


def returned_to_treasury_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 knew the roster, row id and amount only."""
    return {
        **_v1_row(data),
        "round_id": "unknown",
        "beneficiary_id": "unknown",
        "last_instruction_id": None,
        "reason_code": "unknown",
        "reason_text": "v1 未记录原因",
    }
