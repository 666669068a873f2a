"""The bank connector's command: apply the bank's answers, one instruction each.

For each answer: load the row the instruction id names, decide, append at the version decided
on — two answers racing for one row cannot both be applied (the loser decides again on the new
state, where its answer is a duplicate or a contradiction). Answers to one row are applied in
the order given, answers to different rows side by side; the projection is refreshed once for
all of them. An answer naming no instruction of ours is recorded apart (``BankResultUnmatched``)
and answered as such. The bank's HTTP and file entrypoints only parse and authenticate, then
call :func:`apply_results` (a pushed batch, a result file) or :func:`apply_result` (one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

import structlog

from contracts.base import Event
from contracts.events import (
    PaymentFailed,
    PaymentFlaggedForReview,
    PaymentInstructed,
    PaymentOutcomeUnknown,
    PaymentSucceeded,
)
from contracts.pii import PiiCipher
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import ANY_VERSION, EventStore, WrongExpectedVersion
from infra.identity.permissions import Action, Forbidden, authorize
from infra.projections.database import ProjectionDatabase
from infra.stream_commands import append_decided
from services.payout.application.projection import refresh_rows_now
from services.payout.application.streams import (
    APPEND_ATTEMPTS,
    fold_row,
    load_row,
    row_stream,
    unmatched_stream,
)
from services.payout.domain.events import BankResultNoted, BankResultUnmatched
from services.payout.domain.instructions import parse_instruction_id
from services.payout.domain.results import BankResult, check_result, decide_result
from services.payout.domain.row import RowPayment, RowStatus

Disposition = Literal["applied", "duplicate", "late", "flagged", "unmatched", "refused"]
CONCURRENT_ROWS: Final = 64
log = structlog.get_logger()
Changed = tuple[RowPayment, int]


@dataclass(frozen=True, slots=True)
class ResultAnswer:
    """What became of an answer: ``applied`` (the instruction's outcome is now known),
    ``duplicate`` or ``late`` (recorded, nothing changed), ``flagged`` (a contradiction,
    recorded for review), ``unmatched`` (no such instruction of ours), ``refused`` (nothing
    stored; ``code`` and ``message`` say why). ``next_instruction`` is the automatic retry a
    transient rejection issued."""

    instruction_id: str
    disposition: Disposition
    row_status: RowStatus | None = None
    next_instruction: str | None = None
    code: str | None = None
    message: str | None = None


async def apply_result(
    *,
    store: EventStore,
    codec: EventCodec,
    cipher: PiiCipher,
    projections: ProjectionDatabase,
    result: BankResult,
    context: CommandContext,
) -> ResultAnswer:
    """Apply one answer. Refusals (nothing stored): ``Forbidden`` when the actor may not
    exchange with banks for the row's township; ``Refused`` for an incomplete answer, an
    unknown reason code, another bank's instruction or another amount."""
    answer, changed = await _apply(store, codec, result, context)
    if changed is not None:
        await refresh_rows_now(projections, cipher, [changed])
    return answer


async def apply_results(
    *,
    store: EventStore,
    codec: EventCodec,
    cipher: PiiCipher,
    projections: ProjectionDatabase,
    results: Sequence[BankResult],
    context: CommandContext,
) -> list[ResultAnswer]:
    """Apply a batch of answers; one answer each, in the order given. A refused answer is
    answered ``refused`` with its code and changes nothing; the others are applied."""
    by_row: dict[str, list[int]] = {}
    for position, result in enumerate(results):
        ref = parse_instruction_id(result.instruction_id)
        key = result.instruction_id if ref is None else f"{ref.roster_id}:{ref.row_no}"
        by_row.setdefault(key, []).append(position)
    answers: list[ResultAnswer | None] = [None] * len(results)
    changed: dict[str, Changed] = {}
    rows = iter(by_row.items())

    async def worker() -> None:  # CONCURRENT_ROWS of them share the rows: no task per row
        for key, positions in rows:
            for position in positions:
                each = replace(context, idempotency_key=f"{context.idempotency_key}/{position}")
                answers[position], after = await _answered(store, codec, results[position], each)
                if after is not None:
                    changed[key] = after

    await asyncio.gather(*(worker() for _ in range(min(CONCURRENT_ROWS, len(by_row)))))
    await refresh_rows_now(projections, cipher, list(changed.values()))
    return [answer for answer in answers if answer is not None]


async def _answered(
    store: EventStore, codec: EventCodec, result: BankResult, context: CommandContext
) -> tuple[ResultAnswer, Changed | None]:
    try:
        return await _apply(store, codec, result, context)
    except (Refused, Forbidden) as refused:
        answer = ResultAnswer(
            result.instruction_id, "refused", code=refused.code, message=refused.message
        )
        return answer, None


async def _apply(
    store: EventStore, codec: EventCodec, result: BankResult, context: CommandContext
) -> tuple[ResultAnswer, Changed | None]:
    check_result(result)
    ref = parse_instruction_id(result.instruction_id)
    for _ in range(APPEND_ATTEMPTS):
        row, version = (
            (None, 0) if ref is None else await load_row(store, codec, ref.roster_id, ref.row_no)
        )
        if row is None or ref is None or row.attempt(result.instruction_id) is None:
            return await _unmatched(store, codec, result, context), None
        authorize(context.actor, Action.BANK_EXCHANGE, row.first.township_code)
        events = decide_result(result, row)
        try:
            await append_decided(
                store, codec, context, row_stream(ref.roster_id, ref.row_no), events, version
            )
        except WrongExpectedVersion:
            continue
        after = fold_row(events, row)
        assert after is not None
        return _answer(result.instruction_id, events, after), (after, version + len(events))
    raise Refused("payout_row_busy", "该行回执处理冲突，请稍后重发", status=409)


async def _unmatched(
    store: EventStore, codec: EventCodec, result: BankResult, context: CommandContext
) -> ResultAnswer:
    authorize(context.actor, Action.BANK_EXCHANGE, context.actor.jurisdiction_code)
    recorded = BankResultUnmatched(
        bank_code=result.bank_code,
        instruction_id=result.instruction_id,
        outcome=result.outcome,
        amount_fen=result.amount_fen,
        bank_reference=result.bank_reference,
        reason_code=result.reason_code,
    )
    stream_id = unmatched_stream(result.bank_code, context.at)
    await append_decided(store, codec, context, stream_id, [recorded], ANY_VERSION)
    log.warning("payout.result_unmatched", bank_code=result.bank_code)
    return ResultAnswer(result.instruction_id, "unmatched")


def _answer(instruction_id: str, events: list[Event], row: RowPayment) -> ResultAnswer:
    first = events[0]
    retry = next((e for e in events if isinstance(e, PaymentInstructed)), None)
    next_instruction = None if retry is None else retry.instruction_id
    if isinstance(first, PaymentSucceeded | PaymentFailed | PaymentOutcomeUnknown):
        return ResultAnswer(instruction_id, "applied", row.status, next_instruction)
    if isinstance(first, PaymentFlaggedForReview):
        return ResultAnswer(instruction_id, "flagged", row.status)
    assert isinstance(first, BankResultNoted)
    return ResultAnswer(instruction_id, first.disposition, row.status)
