"""Instruction and batch ids, and the next attempt of a row (002 §3(4): re-issued until paid).

An instruction id is ``<roster_id>:<row_no>:<attempt>``: the same row and attempt always yield
the same id, which the bank treats as its idempotency key (it pays one id at most once), so a
resent instruction can never become a second payment. The id also names the row's stream, so a
bank answer finds its row without any lookup table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from contracts.events import PaymentInstructed
from contracts.events.payout import InstructedBecause
from contracts.pii import CardAccountNo

AUTOMATIC_ATTEMPTS: Final = 3
"""Attempts issued without a person: the first, and retries after transient rejections."""


@dataclass(frozen=True, slots=True)
class InstructionRef:
    roster_id: str
    row_no: int
    attempt: int


def instruction_id(roster_id: str, row_no: int, attempt: int) -> str:
    return f"{roster_id}:{row_no}:{attempt}"


def parse_instruction_id(value: str) -> InstructionRef | None:
    """The row and attempt an id names; None for anything that is not one of ours."""
    parts = value.rsplit(":", 2)
    if len(parts) != 3 or not parts[0] or not (parts[1] + parts[2]).isdecimal():
        return None
    roster_id, row_no, attempt = parts
    if not row_no or not attempt:
        return None
    ref = InstructionRef(roster_id, int(row_no), int(attempt))
    if ref.attempt < 1 or instruction_id(ref.roster_id, ref.row_no, ref.attempt) != value:
        return None  # not in its one spelling (leading zeros, attempt 0)
    return ref


def batch_id(roster_id: str, bank_code: str) -> str:
    """The batch of one bank in one round: short and opaque, the same every time."""
    digest = hashlib.sha256(f"{roster_id}/{bank_code}".encode()).hexdigest()[:24]
    return f"pb-{digest}"


@dataclass(frozen=True, slots=True)
class Payment:
    """Whom an instruction pays: the agent bank, the card account and the holder's name."""

    bank_code: str
    account_no: CardAccountNo
    name: str


def next_attempt(
    latest: PaymentInstructed,
    *,
    because: InstructedBecause,
    note: str | None = None,
    payment: Payment | None = None,
) -> PaymentInstructed:
    """The row's next instruction: the same amount, the next attempt's id; the same payee and
    batch, or ``payment``'s payee in its bank's batch of the round."""
    attempt = latest.attempt + 1
    update: dict[str, object] = {
        "instruction_id": instruction_id(latest.roster_id, latest.row_no, attempt),
        "attempt": attempt,
        "because": because,
        "reissue_of": latest.instruction_id,
        "note": note,
    }
    if payment is not None:
        update |= {
            "bank_code": payment.bank_code,
            "account_no": payment.account_no,
            "name": payment.name,
            "batch_id": batch_id(latest.roster_id, payment.bank_code),
        }
    return latest.model_copy(update=update)
