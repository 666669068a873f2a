"""The agent bank's HTTP API (代发金融机构接口): the bank fetches its pending batches and
pushes per-row results. Every request is signed (HMAC, ``X-Bank-*`` headers) or comes with a
pinned client certificate (``bank_auth``); the bank then acts as ``bank_connector`` of its
county through the payout's application functions — their authorisation, their query log,
their idempotent, order-free handling of answers (docs/adr/012-payout.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Query, Request
from pydantic import ValidationError

from infra.http.bank_keys import BankCredentialFile
from infra.http.context import request_context
from infra.service import ServiceDeps
from services.payout.adapters.bank_nonces import NonceRegister
from services.payout.application.pending import PendingBatch, pending_batches
from services.payout.application.results import apply_results
from services.payout.entrypoints.bank_answers import answered, bank_result
from services.payout.entrypoints.bank_auth import Bank, BankGate
from services.payout.entrypoints.bank_errors import (
    AUTH_ERRORS,
    REQUEST_ERRORS,
    RESULT_ERRORS,
    refused,
    responses,
)
from services.payout.entrypoints.bank_schemas import (
    BatchesOut,
    BatchHeader,
    BatchOut,
    InstructionOut,
    ResultsIn,
    ResultsOut,
)
from services.payout.entrypoints.http import Payout, read_context

router = APIRouter(prefix="/bank", tags=["bank"])
BatchId = Annotated[str, Path(pattern=r"^pb-[0-9a-f]{24}$")]


def mount_bank_api(app: FastAPI, deps: ServiceDeps) -> None:
    """Serve the bank API on ``app``: its router, and the gate that admits the banks."""
    app.state.bank_gate = BankGate(
        credentials=BankCredentialFile.for_settings(deps.settings),
        nonces=NonceRegister(deps.projections),
        settings=deps.settings,
    )
    app.include_router(router)


@router.get("/batches", responses=responses(AUTH_ERRORS))
async def get_batches(
    request: Request,
    payout: Payout,
    bank: Bank,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 10_000,
) -> BatchesOut:
    """此代发机构待处理的支付批次 / The bank's pending batches: each with its header as issued
    and the instructions to pay now; ``query`` marks an instruction whose outcome is unknown
    here (answer its status, never pay it twice). At most ``limit`` instructions."""
    batches = await pending_batches(
        store=payout.store,
        projections=await payout.projection(),
        cipher=payout.cipher,
        read_context=read_context(request, bank.actor),
        bank_code=bank.bank_code,
        limit=limit,
    )
    shown = [_batch(batch) for batch in batches]
    return BatchesOut(
        bank_code=bank.bank_code,
        row_count=sum(batch.row_count for batch in shown),
        total_fen=sum(batch.total_fen for batch in shown),
        batches=shown,
    )


@router.get("/batches/{batch_id}", responses=responses(AUTH_ERRORS, REQUEST_ERRORS))
async def get_batch(batch_id: BatchId, request: Request, payout: Payout, bank: Bank) -> BatchOut:
    """一个批次的待处理指令 / One batch of this bank, with what of it is pending now."""
    batches = await pending_batches(
        store=payout.store,
        projections=await payout.projection(),
        cipher=payout.cipher,
        read_context=read_context(request, bank.actor),
        bank_code=bank.bank_code,
        batch_id=batch_id,
    )
    if not batches:
        raise refused("bank_batch_not_found")
    return _batch(batches[0])


@router.post(
    "/results",
    response_model=ResultsOut,
    responses=responses(AUTH_ERRORS, REQUEST_ERRORS, RESULT_ERRORS),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ResultsIn.model_json_schema()}},
        }
    },
)
async def post_results(payout: Payout, bank: Bank) -> Any:
    """推送逐笔发放结果 / Push per-row results, answered one by one in the order sent:
    ``applied``, ``duplicate``, ``late`` (an unknown after a definite answer), ``flagged``
    (contradicts an earlier answer: held for review), ``unmatched`` (no such instruction:
    recorded apart) or ``refused`` (nothing stored; ``code`` says why). 200 when every result
    was taken; otherwise the status of the refusal (422 when several kinds), with every
    result's disposition. Sending a result again is always safe."""
    try:
        body = ResultsIn.model_validate_json(bank.body)
    except ValidationError as error:
        raise refused("bank_body_malformed") from error
    answers = await apply_results(
        store=payout.store,
        codec=payout.codec,
        cipher=payout.cipher,
        projections=await payout.projection(),
        results=[bank_result(result, bank.bank_code) for result in body.results],
        context=request_context(bank.actor, None),
    )
    return answered(answers)


def _batch(batch: PendingBatch) -> BatchOut:
    return BatchOut(
        batch_id=batch.batch_id,
        roster_id=batch.roster_id,
        round_id=batch.round_id,
        programme_name=batch.programme_name,
        township_code=batch.township_code,
        bank_code=batch.bank_code,
        header=BatchHeader(issued_rows=batch.issued_rows, issued_fen=batch.issued_fen),
        row_count=batch.row_count,
        total_fen=batch.total_fen,
        instructions=[
            InstructionOut(
                instruction_id=i.instruction_id,
                roster_id=i.roster_id,
                row_no=i.row_no,
                attempt=i.attempt,
                payee_name=i.name,
                account_no=i.account_no.reveal(),
                amount_fen=i.amount_fen,
                query=i.query,
            )
            for i in batch.instructions
        ],
    )
