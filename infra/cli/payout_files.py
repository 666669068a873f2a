"""``onecard payout export-batch | import-results | reconcile``: file exchange with an agent
bank and reconciliation with its statement (docs/bank-file-format.md).

Each command acts as a named operator (``--operator``, ``--role``, ``--jurisdiction``) held to
the same policy as the API: exporting and importing need ``bank.exchange`` (the exchange's
account, role ``bank_connector``), reconciling needs ``payment.write`` (county finance). A
refused file or command prints its code and Chinese message and exits 1, nothing applied.
"""

from __future__ import annotations

import asyncio
import csv
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import typer

from contracts.envelope import Actor
from contracts.pii import PiiCipher
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.identity.permissions import Forbidden
from infra.projections.database import ProjectionDatabase
from infra.settings import get_settings
from infra.wiring import make_cipher, open_store
from services.payout.adapters.tables import TABLES
from services.payout.application.bank_files import BatchFile, write_batch_files
from services.payout.application.reads import ReadContext
from services.payout.application.reconciliation import ReconciliationReport, reconcile_statement
from services.payout.application.result_files import ResultFileReport, import_result_file
from services.payout.domain.bank_file import DEFAULT_ENCODING, encoding_of, yuan
from services.payout.domain.events import PAYOUT_EVENTS
from services.payout.domain.reconciliation import period_of
from services.payout.domain.reconciliation_events import StatementFigures

app = typer.Typer(
    no_args_is_help=True, help="Payout: bank files (代发文件) and reconciliation (对账)."
)
T = TypeVar("T")
OPERATOR = typer.Option(..., help="The operator's user id.")
JURISDICTION = typer.Option(..., help="The division code the role is held for.")
BANK = typer.Option(..., help="The agent bank's code.")
ENCODING = typer.Option(DEFAULT_ENCODING, help="utf-8 (no BOM), utf-8-sig or gb18030.")


@dataclass(frozen=True, slots=True)
class _Parts:
    store: EventStore
    codec: EventCodec
    cipher: PiiCipher
    projections: ProjectionDatabase
    actor: Actor
    at: datetime

    def context(self) -> CommandContext:
        return CommandContext(self.actor, self.at, uuid.uuid4(), f"cli/{uuid.uuid4()}")

    def read_context(self, route: str) -> ReadContext:
        return ReadContext(actor=self.actor, at=self.at, correlation_id=uuid.uuid4(), route=route)


@app.command("export-batch")
def export_batch(
    bank: str = BANK,
    out: Path = typer.Option(..., file_okay=False, help="Folder the batch files go to."),
    encoding: str = ENCODING,
    operator: str = OPERATOR,
    role: str = typer.Option("bank_connector", help="The role the operator acts in."),
    jurisdiction: str = JURISDICTION,
) -> None:
    """Write each pending batch of BANK as a bank file into OUT (the read is logged first)."""

    async def run(parts: _Parts) -> list[BatchFile]:
        return await write_batch_files(
            store=parts.store,
            projections=parts.projections,
            cipher=parts.cipher,
            read_context=parts.read_context("cli payout export-batch"),
            bank_code=bank,
            encoding=encoding_of(encoding),
        )

    files = _run(Actor(user_id=operator, role=role, jurisdiction_code=jurisdiction), run)
    out.mkdir(parents=True, exist_ok=True)
    for file in files:
        path = out / file.file_name
        path.write_bytes(file.data)
        path.chmod(0o600)
        typer.echo(f"{path}: {file.row_count} 笔, {yuan(file.total_fen)} 元")
    typer.echo(f"{len(files)} batch file(s)")


@app.command("import-results")
def import_results(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The bank's result file."),
    bank: str = BANK,
    encoding: str = ENCODING,
    report: Path | None = typer.Option(None, help="Report CSV (default: FILE.report.csv)."),
    operator: str = OPERATOR,
    role: str = typer.Option("bank_connector", help="The role the operator acts in."),
    jurisdiction: str = JURISDICTION,
) -> None:
    """Check FILE whole, apply each of its results, write the per-line report."""
    data = file.read_bytes()

    async def run(parts: _Parts) -> ResultFileReport:
        return await import_result_file(
            store=parts.store,
            codec=parts.codec,
            cipher=parts.cipher,
            projections=parts.projections,
            bank_code=bank,
            data=data,
            file_name=file.name,
            context=parts.context(),
            encoding=encoding_of(encoding),
        )

    done = _run(Actor(user_id=operator, role=role, jurisdiction_code=jurisdiction), run)
    path = report or file.with_name(f"{file.name}.report.csv")
    _write_csv(
        path,
        ("行号", "指令号", "处理结果", "行状态", "新指令号", "代码", "说明"),
        [
            (line.line_no, line.instruction_id, line.disposition, line.row_status or "",
             line.next_instruction or "", line.code or "", line.message or "")
            for line in done.lines
        ],
    )  # fmt: skip
    first = "already imported: the first import's report" if done.already_imported else "imported"
    counts = ", ".join(f"{name} {n}" for name, n in done.dispositions.items()) or "no lines"
    typer.echo(f"{first}: {len(done.lines)} lines ({counts}); report {path}")


@app.command("reconcile")
def reconcile(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The bank's statement."),
    bank: str = BANK,
    period: str = typer.Option(..., help="2025-10 (a month) or 2025 (a year), China's calendar."),
    encoding: str = ENCODING,
    report: Path | None = typer.Option(None, help="Mismatches CSV (default: FILE.mismatches.csv)."),
    operator: str = OPERATOR,
    role: str = typer.Option("county_finance_officer", help="The role the operator acts in."),
    jurisdiction: str = JURISDICTION,
) -> None:
    """Compare the bank's statement FILE of PERIOD with the payout's and record the result."""
    statement = file.read_bytes()

    async def run(parts: _Parts) -> ReconciliationReport:
        return await reconcile_statement(
            store=parts.store,
            codec=parts.codec,
            projections=parts.projections,
            bank_code=bank,
            period=period_of(period),
            statement=statement,
            context=parts.context(),
            read_context=parts.read_context("cli payout reconcile"),
            encoding=encoding_of(encoding),
        )

    done = _run(Actor(user_id=operator, role=role, jurisdiction_code=jurisdiction), run)
    path = report or file.with_name(f"{file.name}.mismatches.csv")
    _write_csv(
        path,
        ("类型", "指令号", "清册", "行号", "对账单行", "本系统状态", "银行状态", "本系统金额(分)",
         "银行金额(分)", "本系统流水号", "银行流水号"),
        [
            (m.kind, m.instruction_id, m.roster_id or "", m.row_no or "", m.line_no or "",
             m.ours_status or "", m.bank_status or "", _or_blank(m.ours_fen),
             _or_blank(m.bank_fen), m.ours_reference or "", m.bank_reference or "")
            for m in done.reconciled.mismatches
        ],
    )  # fmt: skip
    ours, theirs = done.reconciled.ours, done.reconciled.bank
    state = "recorded" if done.recorded else "unchanged, as recorded before"
    typer.echo(f"{done.reconciliation_id} {bank} {done.period.label} ({state})")
    for status in ("sent", "succeeded", "rejected", "returned", "open"):
        typer.echo(f"  {status:<9} ours {_figure(ours, status)}   bank {_figure(theirs, status)}")
    kinds = ", ".join(f"{kind} {n}" for kind, n in done.reconciled.kinds) or "none: balanced"
    typer.echo(f"  mismatches: {kinds}; listed in {path}")


def _figure(figures: StatementFigures, status: str) -> str:
    rows, fen = getattr(figures, f"{status}_rows"), getattr(figures, f"{status}_fen")
    return f"{rows:>7} 笔 {yuan(fen):>14} 元"


def _or_blank(fen: int | None) -> str:
    return "" if fen is None else str(fen)


def _write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def _run(actor: Actor, work: Callable[[_Parts], Awaitable[T]]) -> T:
    try:
        return asyncio.run(_with_parts(actor, work))
    except (Refused, Forbidden) as refused:
        typer.echo(f"{refused.code}: {refused.message}", err=True)
        raise typer.Exit(1) from None


async def _with_parts(actor: Actor, work: Callable[[_Parts], Awaitable[T]]) -> T:
    settings = get_settings()
    cipher = make_cipher(settings)
    codec = EventCodec(registry=PAYOUT_EVENTS, cipher=cipher)
    store = await open_store(settings)
    projections = await ProjectionDatabase.open(settings.projection_url("payout"))
    try:
        await projections.create_tables(TABLES)
        return await work(_Parts(store, codec, cipher, projections, actor, datetime.now(UTC)))
    finally:
        await projections.close()
        await store.close()
