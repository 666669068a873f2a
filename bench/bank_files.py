"""Bank files (docs/bank-file-format.md): the format alone, and a result file imported end to end.

    python -m bench.bank_files [--rows 10000] [--repeat 3]

Format (pure, in memory): write a batch file of ``--rows`` lines and read it back, read a
result file of as many lines, in UTF-8 and GB18030 (checksum, strict decoding, CSV, amounts,
duplicates included).

Import (setup not timed: one ``PaymentInstructed`` per row appended to its row stream in a
SQLite event store, and the rows projected into a SQLite projection): ``import_result_file``
of a result file answering every row (3 % rejected, the rest succeeded) — the whole-file
check, ``apply_results`` (each row's stream read, decided, appended at its version; the
projection refreshed once), the report recorded under the file's hash — then the same file
again (answered from the record, nothing applied).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench.report import emit
from contracts.envelope import Actor
from contracts.events import PaymentInstructed
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import NO_STREAM
from infra.eventstore.sqlite import SqliteEventStore
from infra.projections.database import ProjectionDatabase
from infra.settings import Settings
from infra.wiring import make_cipher
from services.payout.adapters.tables import TABLES
from services.payout.application.projection import refresh_rows_now
from services.payout.application.result_files import import_result_file
from services.payout.application.streams import row_stream
from services.payout.domain.bank_file import FileEncoding
from services.payout.domain.bank_file_layouts import (
    BatchLine,
    read_batch_file,
    read_result_file,
    write_batch_file,
    write_result_file,
)
from services.payout.domain.events import PAYOUT_EVENTS
from services.payout.domain.results import BankResult
from services.payout.domain.row import evolve

BANK = Actor(user_id="u-bench-bank", role="bank_connector", jurisdiction_code="650102")
AT = datetime(2025, 10, 10, 2, tzinfo=UTC)


def batch_lines(rows: int) -> list[BatchLine]:
    return [
        BatchLine(
            f"r-1:{n}:1",
            f"62170000{n:011d}",
            "阿依古丽·买买提",
            61_725 + n,
            "耕地地力保护补贴",
            False,
        )
        for n in range(1, rows + 1)
    ]


def results(rows: int) -> list[BankResult]:
    return [
        BankResult(f"r-1:{n}:1", "ABC", "rejected", 61_725 + n, reason_code="account_closed")
        if n % 33 == 0
        else BankResult(
            f"r-1:{n}:1", "ABC", "succeeded", 61_725 + n, f"B{n:012d}", date(2025, 10, 10)
        )
        for n in range(1, rows + 1)
    ]


def timed(work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = work()
    return time.perf_counter() - start, value


def format_rows(rows: int, repeat: int) -> list[dict[str, Any]]:
    lines, answers = batch_lines(rows), results(rows)
    encodings: tuple[FileEncoding, ...] = ("utf-8", "gb18030")
    table = []
    for encoding in encodings:
        for what, write, read in (
            ("batch", partial(write_batch_file, lines, encoding),
             partial(read_batch_file, encoding=encoding)),
            ("results", partial(write_result_file, answers, encoding),
             partial(read_result_file, bank_code="ABC", encoding=encoding)),
        ):  # fmt: skip
            writes, reads = [], []
            for _ in range(repeat):
                seconds, data = timed(write)
                writes.append(seconds)
                reads.append(timed(partial(read, data))[0])
            table.append(
                {
                    "file": what,
                    "encoding": encoding,
                    "lines": rows,
                    "MB": round(len(data) / 1e6, 2),
                    "write lines/s": rows / statistics.median(writes),
                    "read lines/s": rows / statistics.median(reads),
                }
            )
    return table


async def import_rows(rows: int, folder: Path) -> list[dict[str, Any]]:
    settings = Settings(data_dir=folder, key_file=folder / "keys.json")
    cipher = make_cipher(settings)
    codec = EventCodec(registry=PAYOUT_EVENTS, cipher=cipher)
    store = await SqliteEventStore.open(folder / "events.db")
    projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{folder}/payout.db")
    await projections.create_tables(TABLES)
    try:
        changed = []
        for line in batch_lines(rows):
            instruction = _instruction(line)
            context = _context(f"setup/{line.instruction_id}")
            envelope = context.envelope(
                instruction, stream_id=row_stream("r-1", instruction.row_no)
            )
            await store.append(
                envelope.stream_id, [codec.encode(envelope)], expected_version=NO_STREAM
            )
            row = evolve(None, instruction)
            assert row is not None
            changed.append((row, 1))
        await refresh_rows_now(projections, cipher, changed)
        data = write_result_file(results(rows), "utf-8")
        table = []
        for attempt in ("first import", "same file again"):
            start = time.perf_counter()
            report = await import_result_file(
                store=store,
                codec=codec,
                cipher=cipher,
                projections=projections,
                bank_code="ABC",
                data=data,
                file_name="bench.csv",
                context=_context(str(uuid.uuid4())),
            )
            seconds = time.perf_counter() - start
            table.append(
                {
                    "import": attempt,
                    "lines": rows,
                    "seconds": round(seconds, 2),
                    "lines/s": rows / seconds,
                    "dispositions": " ".join(f"{k}={v}" for k, v in report.dispositions.items()),
                }
            )
        return table
    finally:
        await projections.close()
        await store.close()


def _instruction(line: BatchLine) -> PaymentInstructed:
    row_no = int(line.instruction_id.split(":")[1])
    return PaymentInstructed(
        instruction_id=line.instruction_id,
        roster_id="r-1",
        row_no=row_no,
        attempt=1,
        batch_id="pb-bench",
        round_id="2025-1",
        programme_code="GDLS",
        programme_name=line.programme_name,
        township_code="650102001",
        village_code="650102001001",
        beneficiary_id=f"b-{row_no}",
        name=line.name,
        bank_code="ABC",
        account_no=line.account_no,
        amount_fen=line.amount_fen,
        because="approved",
    )


def _context(key: str) -> CommandContext:
    return CommandContext(actor=BANK, at=AT, correlation_id=uuid.uuid4(), idempotency_key=key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    emit("bank-files-format", format_rows(arguments.rows, arguments.repeat), vars(arguments))
    with tempfile.TemporaryDirectory() as folder:
        emit(
            "bank-files-import",
            asyncio.run(import_rows(arguments.rows, Path(folder))),
            vars(arguments),
        )


if __name__ == "__main__":
    main()
