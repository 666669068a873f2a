"""The payout's commands for people: the owning office asks for a failed row's re-issue and
county finance orders it (补发, by the programme's re-issue rule), resolves a bank answer
flagged for review, and returns a round's unpaid rows to the treasury at year end (退回国库);
the catalogue's keepers set each programme's re-issue rule."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from contracts.events.payout import ReviewConcern, ReviewDecision
from infra.http.actor import CurrentActor
from infra.http.context import request_context
from infra.http.errors import answering
from services.payout.application.reissue import reissue_row, request_reissue
from services.payout.application.reissue_rules import configure_rule, current_rule
from services.payout.application.review import resolve_review
from services.payout.application.treasury import return_unpaid
from services.payout.domain.reissue import ReissueRow, RequestReissue
from services.payout.domain.reissue_events import ReissueRule
from services.payout.domain.reissue_rules import ConfigureReissueRule
from services.payout.domain.review import ResolveReview
from services.payout.domain.row import RowPayment
from services.payout.entrypoints.http import IdempotencyKey, Payout, RosterId

router = APIRouter(tags=["payout"])
RowNo = Annotated[int, Path(ge=1, le=9_999_999)]
ProgrammeCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,32}$")]


class NoteBody(BaseModel):
    """Why: what was corrected or cleared, or why the rows go back."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    note: str = Field(min_length=1, max_length=200)


@router.post("/rows/{roster_id}/{row_no}/reissue")
async def post_reissue(
    roster_id: RosterId,
    row_no: RowNo,
    body: NoteBody,
    payout: Payout,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Re-issue a definitely rejected row (补发): its next attempt, a new instruction id."""
    command = ReissueRow(roster_id, row_no, body.note)
    with answering():
        done = await reissue_row(
            store=payout.store,
            codec=payout.codec,
            cipher=payout.cipher,
            projections=await payout.projection(),
            command=command,
            context=request_context(actor, idempotency_key),
        )
    latest = done.row.latest
    return {
        "roster_id": roster_id,
        "row_no": row_no,
        "recorded": done.issued,
        "instruction_id": latest.instruction_id,
        "attempt": latest.instruction.attempt,
        "row_status": done.row.status,
        "payee": _payee(done.row),
    }


@router.post("/rows/{roster_id}/{row_no}/reissue-request")
async def post_reissue_request(
    roster_id: RosterId,
    row_no: RowNo,
    body: NoteBody,
    payout: Payout,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """The owning office asks for a failed row to be re-issued to the payee the registry now
    holds (after correcting it there), for county finance to approve."""
    command = RequestReissue(roster_id, row_no, body.note)
    with answering():
        done = await request_reissue(
            store=payout.store,
            codec=payout.codec,
            cipher=payout.cipher,
            projections=await payout.projection(),
            command=command,
            context=request_context(actor, idempotency_key),
        )
    request = done.row.request
    assert request is not None
    return {
        "roster_id": roster_id,
        "row_no": row_no,
        "recorded": done.issued,
        "rejected_instruction_id": request.rejected_instruction_id,
        "requested_by": request.requested_by,
        "payee": {
            "bank_code": request.bank_code,
            "account_no": request.account_no.masked(),
            "name": request.name,
        },
    }


def _payee(row: RowPayment) -> dict[str, str]:
    latest = row.latest.instruction
    return {
        "bank_code": latest.bank_code,
        "account_no": latest.account_no.masked(),
        "name": latest.name,
    }


class RuleBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    rule: ReissueRule


@router.put("/reissue-rules/{programme_code}")
async def put_reissue_rule(
    programme_code: ProgrammeCode,
    body: RuleBody,
    payout: Payout,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """How the programme's failed rows are re-issued from now on: ``finance_order`` (county
    finance orders) or ``office_request`` (the owning office asks, county finance approves)."""
    command = ConfigureReissueRule(programme_code, body.rule, actor.jurisdiction_code)
    with answering():
        state, changed = await configure_rule(
            store=payout.store,
            codec=payout.codec,
            command=command,
            context=request_context(actor, idempotency_key),
        )
    return {
        "programme_code": programme_code,
        "rule": state.rule,
        "version": state.version,
        "changed": changed,
    }


@router.get("/reissue-rules/{programme_code}")
async def get_reissue_rule(
    programme_code: ProgrammeCode, payout: Payout, actor: CurrentActor
) -> dict[str, Any]:
    """The rule a re-issue of the programme takes now (``version`` 0: the default)."""
    with answering():
        rule, version = await current_rule(
            store=payout.store, codec=payout.codec, actor=actor, programme_code=programme_code
        )
    return {"programme_code": programme_code, "rule": rule, "version": version}


class ReviewBody(BaseModel):
    """Which flag of the row (the instruction and the concern, as the row's history shows
    them), what is decided, and on what evidence."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    instruction_id: str = Field(min_length=1, max_length=100)
    concern: ReviewConcern
    decision: ReviewDecision
    note: str = Field(min_length=1, max_length=200)


@router.post("/rows/{roster_id}/{row_no}/review")
async def post_review(
    roster_id: RosterId,
    row_no: RowNo,
    body: ReviewBody,
    payout: Payout,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Resolve a bank answer flagged for review: ``keep_recorded`` sets it aside,
    ``accept_reported`` lets it replace the recorded outcome (a success after a failure pays
    the row; a failure after a success makes it unpaid again, to be corrected and re-issued)."""
    command = ResolveReview(
        roster_id=roster_id,
        row_no=row_no,
        instruction_id=body.instruction_id,
        concern=body.concern,
        decision=body.decision,
        note=body.note,
        resolved_by=actor.user_id,
    )
    with answering():
        done = await resolve_review(
            store=payout.store,
            codec=payout.codec,
            cipher=payout.cipher,
            projections=await payout.projection(),
            command=command,
            context=request_context(actor, idempotency_key),
        )
    return {
        "roster_id": roster_id,
        "row_no": row_no,
        "recorded": done.recorded,
        "row_status": done.row.status,
        "paid_by": done.row.paid_by,
        "open_concerns": [
            {"instruction_id": instruction_id, "concern": concern}
            for instruction_id, concern in done.row.concerns
        ],
    }


@router.post("/rounds/{roster_id}/return-to-treasury")
async def post_return(
    roster_id: RosterId,
    body: NoteBody,
    payout: Payout,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Year end: return the round's rows that stayed unpaid to the treasury, with a report of
    what was returned and what was held back (awaiting an answer, unknown, under review)."""
    with answering():
        report = await return_unpaid(
            store=payout.store,
            codec=payout.codec,
            cipher=payout.cipher,
            projections=await payout.projection(),
            roster_id=roster_id,
            note=body.note,
            context=request_context(actor, idempotency_key),
        )
    ledger = report.ledger
    assert ledger is not None
    return {
        "roster_id": roster_id,
        "fiscal_year": report.fiscal_year,
        "returned": [
            {"row_no": row_no, "amount_fen": fen, "reason_code": reason}
            for row_no, fen, reason in report.returned
        ],
        "returned_fen": sum(fen for _, fen, _ in report.returned),
        "held": {status: {"rows": n, "fen": fen} for status, (n, fen) in report.held.items()},
        "ledger": {
            "succeeded_fen": ledger.succeeded_fen,
            "returned_fen": ledger.returned_fen,
            "outstanding_fen": ledger.outstanding_fen,
            "approved_fen": ledger.approved_fen,
            "balanced": ledger.balanced,
        },
    }
