"""Integration events published by the payout service: bank results of approved rows.

Stream: ``payout-<roster_id>``: all payments of one roster in one ordered stream, so that a
row is never paid twice. Amounts are integer fen.
"""

from __future__ import annotations

from contracts.base import Event
from contracts.fields import Code, Fen, Id, Text


class PaymentSucceeded(Event):
    """The agent bank credited the row's amount to the beneficiary's card account.

    Guarantees: final; the row is paid and no other instruction for it will be issued.
    """

    event_type = "PaymentSucceeded"
    schema_version = 1

    instruction_id: Id
    roster_id: Id
    row_id: Id
    amount_fen: Fen
    bank_reference: Text


class PaymentFailed(Event):
    """The agent bank could not credit the row (account closed, name mismatch, frozen…).

    Guarantees: nothing was paid for this instruction; the row goes back to its owner to be
    corrected and re-issued, or is returned to the treasury at year end.
    """

    event_type = "PaymentFailed"
    schema_version = 1

    instruction_id: Id
    roster_id: Id
    row_id: Id
    amount_fen: Fen
    reason_code: Code
    reason_text: Text


class ReturnedToTreasury(Event):
    """A row that could not be paid within the year was returned to the treasury (退回国库).

    Guarantees: final; the row will never be paid from this roster.
    """

    event_type = "ReturnedToTreasury"
    schema_version = 1

    roster_id: Id
    row_id: Id
    amount_fen: Fen
