"""Month-end and year-end reconciliation with each agent bank (对账, 002 §2(2) item 4).

``bank_statement`` is the payout's own statement of a bank and period, from the statement
entries; ``reconcile_statement`` compares it with the bank's statement file and records the
result — figures and every mismatch with its row — in the stream
``payoutreconciliation-<bank>-<period>``, where auditors replay it. The same statement
reconciled again with the same outcome is answered from the record, not recorded twice.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from contracts.envelope import Actor
from contracts.refusals import Refused
from contracts.zones import local_date
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.identity.permissions import Action, authorize, scope_of
from infra.projections.database import ProjectionDatabase
from infra.stream_commands import append_decided
from services.payout.application.reads import ReadContext, log_payment_read
from services.payout.application.statement_entries import load_entries
from services.payout.application.streams import read
from services.payout.domain.bank_file import DEFAULT_ENCODING, FileEncoding
from services.payout.domain.bank_file_layouts import read_statement_file
from services.payout.domain.reconciliation import Period, Reconciled, reconcile
from services.payout.domain.reconciliation_events import (
    MISMATCHES_PER_PART,
    BankStatementReconciled,
    StatementFigures,
    StatementMismatchesListed,
)

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """A reconciliation as recorded (``recorded``: now; else the same one was on record)."""

    reconciliation_id: str
    bank_code: str
    period: Period
    statement_sha256: str
    statement_lines: int
    reconciled: Reconciled
    recorded: bool


def reconciliation_stream(bank_code: str, period: Period) -> str:
    return f"payoutreconciliation-{bank_code}-{period.label}"


async def bank_statement(
    *, projections: ProjectionDatabase, actor: Actor, bank_code: str, period: Period
) -> StatementFigures:
    """The payout's statement of the bank and period within the reader's jurisdiction:
    instructions sent, succeeded, rejected, returned and open, rows and fen. ``Forbidden``
    unless the reader may read payments."""
    authorize(actor, Action.PAYMENT_READ, actor.jurisdiction_code)
    async with projections.transaction() as conn:
        found = await load_entries(
            conn, bank_code=bank_code, scope=scope_of(actor) or "", period=period
        )
    return reconcile(period, found, ()).ours


async def reconcile_statement(
    *,
    store: EventStore,
    codec: EventCodec,
    projections: ProjectionDatabase,
    bank_code: str,
    period: Period,
    statement: bytes,
    context: CommandContext,
    read_context: ReadContext,
    encoding: FileEncoding = DEFAULT_ENCODING,
) -> ReconciliationReport:
    """Compare the bank's statement file of ``period`` with ours and record it. Refusals,
    nothing recorded: ``Forbidden`` unless the actor makes payments (county finance);
    ``Refused`` while the period has not ended (in China), or for a statement file that is not
    sound (``bank_file_*``). The rows of the mismatches are written to the query log."""
    actor = context.actor
    authorize(actor, Action.PAYMENT_WRITE, actor.jurisdiction_code)
    if local_date(context.at) <= period.last:
        raise Refused(
            "payout_period_open", f"对账期间{period.label}尚未结束，期末之后方可对账", status=409
        )
    lines = read_statement_file(statement, encoding)
    async with projections.transaction() as conn:
        found = await load_entries(
            conn,
            bank_code=bank_code,
            scope=scope_of(actor) or "",
            period=period,
            ids=[line.instruction_id for line in lines],
        )
    reconciled = reconcile(period, found, lines)
    await _log_rows(store, read_context, reconciled)
    digest = hashlib.sha256(statement).hexdigest()
    report = ReconciliationReport("", bank_code, period, digest, len(lines), reconciled, True)
    return await _record(store, codec, context, report)


async def _log_rows(store: EventStore, read_context: ReadContext, reconciled: Reconciled) -> None:
    rows: dict[str, set[int]] = defaultdict(set)
    for mismatch in reconciled.mismatches:
        if mismatch.roster_id is not None and mismatch.row_no is not None:
            rows[mismatch.roster_id].add(mismatch.row_no)
    for roster_id in sorted(rows):
        await log_payment_read(
            store, read_context, roster_id=roster_id, row_nos=sorted(rows[roster_id])
        )


async def _record(
    store: EventStore, codec: EventCodec, context: CommandContext, report: ReconciliationReport
) -> ReconciliationReport:
    stream_id = reconciliation_stream(report.bank_code, report.period)
    events = [envelope.event for envelope in await read(store, codec, stream_id)]
    latest = next((e for e in reversed(events) if isinstance(e, BankStatementReconciled)), None)
    if latest is not None and _same(latest, events, report):
        return replace(report, reconciliation_id=latest.reconciliation_id, recorded=False)
    key = f"{context.idempotency_key}/{stream_id}/{len(events)}"
    rid = f"rc-{hashlib.sha256(key.encode()).hexdigest()[:24]}"
    mismatches = report.reconciled.mismatches
    parts = [
        StatementMismatchesListed(
            reconciliation_id=rid,
            part=index + 1,
            mismatches=mismatches[start : start + MISMATCHES_PER_PART],
        )
        for index, start in enumerate(range(0, len(mismatches), MISMATCHES_PER_PART))
    ]
    summary = BankStatementReconciled(
        reconciliation_id=rid,
        bank_code=report.bank_code,
        period=report.period.label,
        period_kind=report.period.kind,
        statement_sha256=report.statement_sha256,
        statement_lines=report.statement_lines,
        ours=report.reconciled.ours,
        bank=report.reconciled.bank,
        mismatch_count=len(mismatches),
        mismatch_kinds=report.reconciled.kinds,
        parts=len(parts),
        balanced=not mismatches,
    )
    keyed = replace(context, idempotency_key=key)
    await append_decided(store, codec, keyed, stream_id, [*parts, summary], len(events))
    return replace(report, reconciliation_id=rid)


def _same(
    latest: BankStatementReconciled, events: Sequence[object], report: ReconciliationReport
) -> bool:
    listed = tuple(
        m
        for e in events
        if isinstance(e, StatementMismatchesListed)
        and e.reconciliation_id == latest.reconciliation_id
        for m in e.mismatches
    )
    reconciled = report.reconciled
    return (
        latest.statement_sha256 == report.statement_sha256
        and (latest.ours, latest.bank) == (reconciled.ours, reconciled.bank)
        and listed == reconciled.mismatches
    )
