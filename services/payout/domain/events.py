"""The payout service's private events: what it learned of each roster (its submitted rows,
terms and approval), when a round opened or could not, the bank answers that changed nothing,
and the year-end returns. Other services rely only on ``contracts/events/payout.py``; these
may change (with upcasters: they are kept ten years like every event).

Streams: ``payout-<roster_id>`` (the round), ``payment-<roster_id>-<row_no>`` (one row) and
``payoutunmatched-<bank_code>-<yyyymmdd>`` (answers naming no instruction of ours, per bank
and day in China).
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import Field, StringConstraints

from contracts.base import Event
from contracts.events import EVENTS, SubmittedRow
from contracts.events.payout import InstructionId, UserId
from contracts.fields import Code, Count, Fen, Id, Text
from services.payout.domain.bank_file_events import BANK_FILE_EVENTS
from services.payout.domain.reconciliation_events import RECONCILIATION_EVENTS
from services.payout.domain.reissue_events import REISSUE_EVENTS

SubmissionNo = Annotated[int, Field(strict=True, ge=1)]
Outcome = Literal["succeeded", "rejected", "unknown"]


class SubmittedRowsReceived(Event):
    """One ``RosterRowsSubmitted`` part, kept whole (card accounts sealed as the registry
    sealed them): the rows an approval may later name are paid from here, even if the bus
    no longer holds them."""

    event_type = "SubmittedRowsReceived"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    part: Annotated[int, Field(strict=True, ge=1)]
    rows: Annotated[tuple[SubmittedRow, ...], Field(min_length=1, max_length=1000)]


class SubmissionTermsReceived(Event):
    """What ``RosterSubmitted`` said of a submission: its round, the programme's standard name,
    the township, and how many rows and fen in how many parts."""

    event_type = "SubmissionTermsReceived"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    round_id: Id
    programme_code: Code
    programme_name: Text
    township_code: Code
    row_count: Count
    total_fen: Fen
    parts: Count


class BatchApprovalReceived(Event):
    """County finance approved this submission for payment (``BatchApproved``)."""

    event_type = "BatchApprovalReceived"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    round_id: Id
    approved_row_count: Count
    total_fen: Fen
    levels: tuple[UserId, ...]


class PaymentRoundOpened(Event):
    """The approved submission's rows, their terms and every part all known and agreeing: the
    round is paid from this submission, through one batch per agent bank (``banks``)."""

    event_type = "PaymentRoundOpened"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    round_id: Id
    programme_code: Code
    programme_name: Text
    township_code: Code
    row_count: Count
    total_fen: Fen
    banks: Annotated[tuple[Code, ...], Field(min_length=1)]


class PaymentRoundBlocked(Event):
    """An approved submission that is not paid: its rows disagree with the approved totals
    (``rows_mismatch``), or another submission of the roster is already being paid
    (``round_already_open``). Nothing is instructed; a person must look into it."""

    event_type = "PaymentRoundBlocked"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    reason_code: Code
    reason_text: Text


class RoundInstructed(Event):
    """Every row of the opened round holds its first instruction: the round's opening is
    complete (until this is recorded, a redelivered input completes it again)."""

    event_type = "RoundInstructed"
    schema_version = 1

    roster_id: Id
    instruction_count: Count


class BankResultNoted(Event):
    """A bank answer that changed nothing, recorded: the same outcome again (``duplicate``)
    or an answer weaker than the one already known (``late``: an unknown after a definite)."""

    event_type = "BankResultNoted"
    schema_version = 1

    instruction_id: InstructionId
    roster_id: Id
    row_no: Count
    outcome: Outcome
    disposition: Literal["duplicate", "late"]
    bank_reference: Text | None = None
    reason_code: Code | None = None


class BankResultUnmatched(Event):
    """A bank answer naming no instruction of ours (or none of this bank's): recorded as it
    came, answered, applied to nothing."""

    event_type = "BankResultUnmatched"
    schema_version = 1

    bank_code: Code
    instruction_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    outcome: Outcome
    amount_fen: Fen
    bank_reference: Text | None = None
    reason_code: Code | None = None


class UnpaidReturnReported(Event):
    """The year-end return of a round (001 art.10(11)): how many rows and fen went back to
    the treasury now, and how many were held back because an answer is still awaited,
    unknown or under review (those are queried, never returned blindly)."""

    event_type = "UnpaidReturnReported"
    schema_version = 1

    roster_id: Id
    fiscal_year: Annotated[int, Field(strict=True, ge=2000, le=2999)]
    returned_rows: Count
    returned_fen: Fen
    held_rows: Count
    held_fen: Fen
    note: Text


PAYOUT_EVENTS: Final = EVENTS.including(
    [
        SubmittedRowsReceived,
        SubmissionTermsReceived,
        BatchApprovalReceived,
        PaymentRoundOpened,
        PaymentRoundBlocked,
        RoundInstructed,
        BankResultNoted,
        BankResultUnmatched,
        UnpaidReturnReported,
        *BANK_FILE_EVENTS,
        *RECONCILIATION_EVENTS,
        *REISSUE_EVENTS,
    ]
)
"""Every event the payout service reads or writes: the integration events and its own."""
