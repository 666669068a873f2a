"""The agent bank's month statement (对账单), written from the simulated bank's own books in
the file format both sides agreed (docs/bank-file-format.md §3): the simulator writes none, so
the main job writes it for the bank, from what the bank recorded — not from the payout — so
the reconciliation compares two independent records."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from infra.banksim.ledger import read_ledger
from services.payout.domain.bank_file_layouts import StatementLine, write_statement_file


def bank_books(ledger: Path) -> dict[str, int]:
    """What the simulated bank did, as its books say: instructions decided, credited and
    rejected, answers it sent twice and answers it let time out."""
    if not ledger.exists():
        return {}
    entries = read_ledger(ledger).entries.values()
    return {
        "instructions": len(entries),
        "credited": sum(e.decision.paid for e in entries),
        "rejected": sum(not e.decision.paid for e in entries),
        "answered twice": sum(e.decision.duplicated for e in entries),
        "answer lost first": sum(e.decision.answer_lost for e in entries),
    }


def bank_statement(ledger: Path) -> tuple[bytes, date | None]:
    """The statement of the month most of the bank's credits are dated in, and that month
    (None when the bank paid nothing)."""
    if not ledger.exists():
        return b"", None
    books = read_ledger(ledger)
    months = Counter(
        e.decision.value_date.replace(day=1)
        for e in books.entries.values()
        if e.decision.value_date is not None
    )
    if not months:
        return b"", None
    month = months.most_common(1)[0][0]
    lines = []
    for n, (instruction_id, entry) in enumerate(sorted(books.entries.items()), 1):
        decision = entry.decision
        credited = decision.paid and books.credits[instruction_id] > 0
        if credited and decision.value_date and decision.value_date.replace(day=1) != month:
            continue
        lines.append(
            StatementLine(
                line_no=n,
                instruction_id=instruction_id,
                status="succeeded" if credited else "rejected",
                amount_fen=decision.amount_fen,
                bank_reference=decision.bank_reference if credited else None,
                value_date=decision.value_date if credited else None,
            )
        )
    return write_statement_file(lines, "utf-8"), month
