"""The main job's bank statement: written from the simulated bank's own books in the agreed file
format, so that the payout reads back exactly what the bank recorded — its credits with their
references and value dates, its rejections — for the month most credits fall in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from infra.banksim.config import SimulatorConfig
from infra.banksim.decisions import decide
from infra.banksim.ledger import Ledger
from infra.mainjob.statement import bank_statement
from services.payout.domain.bank_file_layouts import read_statement_file

DECEMBER = date(2026, 12, 3)


def books(tmp_path: Path, ids: list[str], *, on: date = DECEMBER) -> Path:
    config = SimulatorConfig(
        url="http://payout", key_id="k", secret="s" * 32, ledger=tmp_path / "bank.db",
        failure_share=0.3,
    )  # fmt: skip
    ledger = Ledger(config.ledger)
    try:
        for instruction_id in ids:
            ledger.settle(decide(instruction_id, 61_725, config, on))
    finally:
        ledger.close()
    return config.ledger


def test_the_statement_lists_every_credit_and_rejection_the_bank_recorded(tmp_path: Path) -> None:
    ids = [f"r-1:{n}:1" for n in range(1, 41)]
    data, month = bank_statement(books(tmp_path, ids))

    lines = read_statement_file(data, "utf-8")
    assert month == date(2026, 12, 1)
    assert sorted(line.instruction_id for line in lines) == sorted(ids)
    paid = [line for line in lines if line.status == "succeeded"]
    rejected = [line for line in lines if line.status == "rejected"]
    assert paid
    assert rejected, "a 30 % failure share rejects some of 40"
    assert all(line.bank_reference and line.value_date == DECEMBER for line in paid)
    assert all(line.bank_reference is None and line.value_date is None for line in rejected)
    assert sum(line.amount_fen for line in lines) == 61_725 * 40


def test_a_bank_that_paid_nothing_has_no_statement(tmp_path: Path) -> None:
    assert bank_statement(tmp_path / "never-ran.db") == (b"", None)
