"""The simulated bank's own books, in a small SQLite file that survives its crashes.

``decisions`` holds what the bank decided per instruction id (its idempotency key), written
before any answer leaves; ``movements`` is the append-only record of money moved — a credit
when an instruction is paid, a return when a credited payment came back. An instruction is
decided, and so credited, at most once: deciding and crediting are one transaction, taken
only when no decision exists. Whatever the bank is asked again, and after any crash, it
answers from here.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from infra.banksim.decisions import Decision
from infra.banksim.ledger_rows import COLUMNS, Entry, decision_of, entry_of, row_of

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS decisions (
    instruction_id TEXT PRIMARY KEY,
    amount_fen     INTEGER NOT NULL,
    paid           INTEGER NOT NULL,
    reason_code    TEXT,
    bank_reference TEXT,
    value_date     TEXT,
    answer_lost    INTEGER NOT NULL,
    duplicated     INTEGER NOT NULL,
    returned       INTEGER NOT NULL,
    timeout_sent   INTEGER NOT NULL DEFAULT 0,
    taken          INTEGER NOT NULL DEFAULT 0,
    return_taken   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS movements (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    instruction_id TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('credit', 'return')),
    amount_fen     INTEGER NOT NULL,
    at             TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (run INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT);
"""


class Ledger:
    """The books of one simulated bank (one process at a time)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.executescript(SCHEMA)

    def start_run(self) -> int:
        """Note a (re)start; its number varies what is random beyond the decisions."""
        cursor = self._conn.execute(
            "INSERT INTO runs (started_at) VALUES (?)", (datetime.now(UTC).isoformat(),)
        )
        return int(cursor.lastrowid or 0)

    def entry(self, instruction_id: str) -> Entry | None:
        row = self._conn.execute(
            f"SELECT {COLUMNS}, timeout_sent, taken, return_taken FROM decisions"  # noqa: S608
            " WHERE instruction_id = ?",
            (instruction_id,),
        ).fetchone()
        return None if row is None else entry_of(row)

    def settle(self, decision: Decision) -> Entry:
        """The instruction's entry: the one already decided, else ``decision`` — recorded
        (and credited when paid) in one transaction before anything is answered."""
        with self._transaction():
            known = self.entry(decision.instruction_id)
            if known is not None:
                return known
            self._conn.execute(
                f"INSERT INTO decisions ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                row_of(decision),
            )
            if decision.paid:
                self._move(decision.instruction_id, "credit", decision.amount_fen)
        return Entry(decision, timeout_sent=False, taken=False, return_taken=False)

    def note_timeout_sent(self, instruction_id: str) -> None:
        self._set(instruction_id, "timeout_sent")

    def note_taken(self, instruction_id: str) -> None:
        self._set(instruction_id, "taken")

    def note_return_taken(self, instruction_id: str, amount_fen: int) -> None:
        """The payout heard of the return: the money is back (recorded once)."""
        with self._transaction():
            row = self._conn.execute(
                "SELECT return_taken FROM decisions WHERE instruction_id = ?", (instruction_id,)
            ).fetchone()
            if row is not None and not row[0]:
                self._set(instruction_id, "return_taken")
                self._move(instruction_id, "return", amount_fen)

    def returns_due(self) -> list[Decision]:
        """Credited payments to be returned, whose success the payout has taken."""
        rows = self._conn.execute(
            f"SELECT {COLUMNS} FROM decisions"  # noqa: S608
            " WHERE returned = 1 AND taken = 1 AND return_taken = 0 ORDER BY instruction_id"
        ).fetchall()
        return [decision_of(row) for row in rows]

    def view(self) -> LedgerView:
        credits: Counter[str] = Counter()
        returns: Counter[str] = Counter()
        for instruction_id, kind in self._conn.execute(
            "SELECT instruction_id, kind FROM movements"
        ):
            (credits if kind == "credit" else returns)[instruction_id] += 1
        rows = self._conn.execute(
            f"SELECT {COLUMNS}, timeout_sent, taken, return_taken FROM decisions"  # noqa: S608
        ).fetchall()
        runs = self._conn.execute("SELECT count(*) FROM runs").fetchone()[0]
        entries = {row[0]: entry_of(row) for row in rows}
        return LedgerView(entries, credits, returns, int(runs))

    def close(self) -> None:
        self._conn.close()

    def _set(self, instruction_id: str, flag: str) -> None:
        self._conn.execute(
            f"UPDATE decisions SET {flag} = 1 WHERE instruction_id = ?",  # noqa: S608
            (instruction_id,),
        )

    def _move(self, instruction_id: str, kind: str, amount_fen: int) -> None:
        self._conn.execute(
            "INSERT INTO movements (instruction_id, kind, amount_fen, at) VALUES (?, ?, ?, ?)",
            (instruction_id, kind, amount_fen, datetime.now(UTC).isoformat()),
        )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")


@dataclass(frozen=True, slots=True)
class LedgerView:
    """The books read at once: for tests and the demo (``read_ledger``)."""

    entries: dict[str, Entry]
    credits: Counter[str]
    """Credits per instruction id (the simulator's promise: never above 1)."""
    returns: Counter[str]
    runs: int


def read_ledger(path: Path) -> LedgerView:
    ledger = Ledger(path)
    try:
        return ledger.view()
    finally:
        ledger.close()
