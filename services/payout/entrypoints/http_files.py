"""The file exchange and reconciliation over HTTP, for people signed in (the exchange's
operator, county finance, auditors): upload a bank's result file, reconcile a bank's
statement file, read the payout's own statement of a bank and period. Bodies are the files'
raw bytes (``text/csv``), their encoding named in the query. Batch files are written by
``onecard payout export-batch``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from infra.http.actor import CurrentActor
from infra.http.context import request_context
from infra.http.errors import answering
from services.payout.application.reconciliation import (
    ReconciliationReport,
    bank_statement,
    reconcile_statement,
)
from services.payout.application.result_files import ResultFileReport, import_result_file
from services.payout.domain import bank_file_refusals as refuse
from services.payout.domain.bank_file import MAX_FILE_MB, encoding_of
from services.payout.domain.reconciliation import period_of
from services.payout.entrypoints.http import IdempotencyKey, Payout, read_context

router = APIRouter(tags=["payout files"])
BankCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,32}$")]
PeriodText = Annotated[str, Path(pattern=r"^\d{4}(-\d{2})?$", examples=["2025-10", "2025"])]
Encoding = Annotated[str, Query(description="utf-8 (default, no BOM), utf-8-sig or gb18030")]
FileName = Annotated[str, Query(min_length=1, max_length=200)]
MAX_BYTES = MAX_FILE_MB * 1024 * 1024


@router.post("/banks/{bank_code}/result-files")
async def post_result_file(
    bank_code: BankCode,
    request: Request,
    payout: Payout,
    actor: CurrentActor,
    encoding: Encoding = "utf-8",
    file_name: FileName = "result-file.csv",
) -> dict[str, Any]:
    """Apply a bank's result file: checked whole first (nothing applied when refused), then
    each line; answered with each line's disposition. The same file again is answered with
    the first import's report (``already_imported``)."""
    with answering():
        report = await import_result_file(
            store=payout.store,
            codec=payout.codec,
            cipher=payout.cipher,
            projections=await payout.projection(),
            bank_code=bank_code,
            data=await _body(request),
            file_name=file_name,
            context=request_context(actor, None),
            encoding=encoding_of(encoding),
        )
    return _report(report)


@router.post("/banks/{bank_code}/statements/{period}")
async def post_statement(
    bank_code: BankCode,
    period: PeriodText,
    request: Request,
    payout: Payout,
    actor: CurrentActor,
    encoding: Encoding = "utf-8",
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Reconcile the bank's month-end (``2025-10``) or year-end (``2025``) statement file with
    the payout's, record the result, and answer it with every mismatch and its row."""
    with answering():
        done = await reconcile_statement(
            store=payout.store,
            codec=payout.codec,
            projections=await payout.projection(),
            bank_code=bank_code,
            period=period_of(period),
            statement=await _body(request),
            context=request_context(actor, idempotency_key),
            read_context=read_context(request, actor),
            encoding=encoding_of(encoding),
        )
    return _reconciliation(done)


@router.get("/banks/{bank_code}/statements/{period}")
async def get_statement(
    bank_code: BankCode, period: PeriodText, payout: Payout, actor: CurrentActor
) -> dict[str, Any]:
    """The payout's own statement of the bank and period in the reader's jurisdiction:
    instructions sent, succeeded, rejected, returned and still open, rows and fen."""
    with answering():
        figures = await bank_statement(
            projections=await payout.projection(),
            actor=actor,
            bank_code=bank_code,
            period=period_of(period),
        )
    return {"bank_code": bank_code, "period": period, **figures.model_dump()}


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > MAX_BYTES:
        raise refuse.too_large(MAX_FILE_MB)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise refuse.too_large(MAX_FILE_MB)
        chunks.append(chunk)
    return b"".join(chunks)


def _report(report: ResultFileReport) -> dict[str, Any]:
    return {
        "file_sha256": report.file_sha256,
        "bank_code": report.bank_code,
        "already_imported": report.already_imported,
        "total_fen": report.total_fen,
        "dispositions": report.dispositions,
        "lines": [line.model_dump(exclude_none=True) for line in report.lines],
    }


def _reconciliation(done: ReconciliationReport) -> dict[str, Any]:
    reconciled = done.reconciled
    return {
        "reconciliation_id": done.reconciliation_id,
        "recorded": done.recorded,
        "bank_code": done.bank_code,
        "period": done.period.label,
        "statement_sha256": done.statement_sha256,
        "balanced": not reconciled.mismatches,
        "ours": reconciled.ours.model_dump(),
        "bank": reconciled.bank.model_dump(),
        "mismatch_kinds": dict(reconciled.kinds),
        "mismatches": [m.model_dump(exclude_none=True) for m in reconciled.mismatches],
    }
