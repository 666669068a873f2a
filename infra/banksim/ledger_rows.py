"""The ledger's rows and what they mean: a decision per instruction id, and what became of
its answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from infra.banksim.decisions import Decision

COLUMNS: Final = (
    "instruction_id, amount_fen, paid, reason_code, bank_reference, value_date, answer_lost,"
    " duplicated, returned"
)


@dataclass(frozen=True, slots=True)
class Entry:
    decision: Decision
    timeout_sent: bool
    taken: bool
    """The payout took the definite answer (applied, or already had it)."""
    return_taken: bool


def row_of(decision: Decision) -> tuple[object, ...]:
    value_date = decision.value_date.isoformat() if decision.value_date else None
    return (
        decision.instruction_id,
        decision.amount_fen,
        int(decision.paid),
        decision.reason_code,
        decision.bank_reference,
        value_date,
        int(decision.answer_lost),
        int(decision.duplicated),
        int(decision.returned),
    )


def decision_of(row: tuple[object, ...]) -> Decision:
    instruction_id, amount, paid, reason, reference, value_date, lost, duplicated, returned = row[
        :9
    ]
    return Decision(
        instruction_id=str(instruction_id),
        amount_fen=int(str(amount)),
        paid=bool(paid),
        reason_code=None if reason is None else str(reason),
        bank_reference=None if reference is None else str(reference),
        value_date=None if value_date is None else date.fromisoformat(str(value_date)),
        answer_lost=bool(lost),
        duplicated=bool(duplicated),
        returned=bool(returned),
    )


def entry_of(row: tuple[object, ...]) -> Entry:
    timeout_sent, taken, return_taken = row[9:12]
    return Entry(decision_of(row), bool(timeout_sent), bool(taken), bool(return_taken))
