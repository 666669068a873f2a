"""Year-end: the round's unpaid rows go back to the treasury (退回国库, 001 art.10(11)), with a
report. Each row is decided and appended on its own stream at the version decided on, so a
bank answer racing the return is either seen first or refused its success (flagged); rows
still awaiting an answer, unknown or under review are held back and listed, never returned.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from contracts.pii import PiiCipher
from contracts.refusals import Refused
from infra.clock import CHINA
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import ANY_VERSION, EventStore, WrongExpectedVersion
from infra.identity.permissions import Action, authorize
from infra.projections.database import ProjectionDatabase
from infra.stream_commands import append_decided
from services.payout.application.projection import project_rows
from services.payout.application.streams import (
    APPEND_ATTEMPTS,
    fold_round,
    fold_row,
    load_row,
    read,
    round_stream,
    row_stream,
)
from services.payout.domain import refusals as refuse
from services.payout.domain.events import PaymentRoundOpened, UnpaidReturnReported
from services.payout.domain.ledger import Ledger, ledger_of
from services.payout.domain.row import RowPayment
from services.payout.domain.treasury import decide_return, year_end_of

CONCURRENT_ROWS: Final = 100


@dataclass(frozen=True, slots=True)
class TreasuryReturn:
    """What the return did: the rows returned now (row number, fen, last failure's reason),
    the rows held back by status (rows, fen), and the round's ledger after it."""

    roster_id: str
    fiscal_year: int
    returned: tuple[tuple[int, int, str], ...]
    held: dict[str, tuple[int, int]] = field(default_factory=dict)
    ledger: Ledger | None = None


async def return_unpaid(
    *,
    store: EventStore,
    codec: EventCodec,
    cipher: PiiCipher,
    projections: ProjectionDatabase,
    roster_id: str,
    note: str,
    context: CommandContext,
) -> TreasuryReturn:
    """Return every row of the round whose last instruction was definitely rejected and none
    is open. Refusals: ``Forbidden`` unless the actor may make payments in the township;
    ``Refused`` before the year end of the round's year, without a note, or for no round."""
    envelopes = await read(store, codec, round_stream(roster_id))
    state = fold_round(envelopes)
    if state is None or state.opened is None:
        authorize(context.actor, Action.PAYMENT_WRITE, context.actor.jurisdiction_code)
        raise refuse.round_not_found()
    opened = state.opened
    authorize(context.actor, Action.PAYMENT_WRITE, opened.township_code)
    if not note.strip():
        raise refuse.note_required()
    opened_at = next(e.occurred_at for e in envelopes if isinstance(e.event, PaymentRoundOpened))
    year = opened_at.astimezone(CHINA).year
    if context.at.astimezone(CHINA).date() < year_end_of(year):
        raise refuse.not_year_end(year_end_of(year).isoformat())
    semaphore = asyncio.Semaphore(CONCURRENT_ROWS)

    async def one(row_no: int) -> tuple[RowPayment, int, bool]:
        async with semaphore:
            return await _return_row(store, codec, context, roster_id, row_no)

    rows = await asyncio.gather(*(one(row.row_no) for row in state.paid_rows))
    async with projections.transaction() as conn:
        await project_rows(conn, cipher, [(row, version) for row, version, _ in rows])
    report = _report(roster_id, year, opened.row_count, opened.total_fen, rows)
    if report.returned:
        await _record_report(store, codec, context, report, note.strip())
    return report


async def _return_row(
    store: EventStore, codec: EventCodec, context: CommandContext, roster_id: str, row_no: int
) -> tuple[RowPayment, int, bool]:
    stream_id = row_stream(roster_id, row_no)
    for _ in range(APPEND_ATTEMPTS):
        row, version = await load_row(store, codec, roster_id, row_no)
        assert row is not None, f"{stream_id} missing from an instructed round"
        events = decide_return(row)
        try:
            await append_decided(store, codec, context, stream_id, events, version)
        except WrongExpectedVersion:
            continue
        after = fold_row(events, row)
        assert after is not None
        return after, version + len(events), bool(events)
    raise Refused("payout_row_busy", f"第{row_no}行正在处理银行回执，请稍后重试", status=409)


def _report(
    roster_id: str,
    year: int,
    approved_rows: int,
    approved_fen: int,
    rows: list[tuple[RowPayment, int, bool]],
) -> TreasuryReturn:
    returned = tuple(
        (row.first.row_no, row.first.amount_fen, row.latest.reason_code or "unknown")
        for row, _, now in rows
        if now
    )
    held_rows: Counter[str] = Counter()
    held_fen: Counter[str] = Counter()
    for row, _, _ in rows:
        if row.status in ("pending", "unknown", "review"):
            held_rows[row.status] += 1
            held_fen[row.status] += row.first.amount_fen
    ledger = ledger_of(
        approved_rows, approved_fen, [(row.status, 1, row.first.amount_fen) for row, _, _ in rows]
    )
    held = {status: (held_rows[status], held_fen[status]) for status in sorted(held_rows)}
    return TreasuryReturn(roster_id, year, returned, held, ledger)


async def _record_report(
    store: EventStore,
    codec: EventCodec,
    context: CommandContext,
    report: TreasuryReturn,
    note: str,
) -> None:
    recorded = UnpaidReturnReported(
        roster_id=report.roster_id,
        fiscal_year=report.fiscal_year,
        returned_rows=len(report.returned),
        returned_fen=sum(fen for _, fen, _ in report.returned),
        held_rows=sum(rows for rows, _ in report.held.values()),
        held_fen=sum(fen for _, fen in report.held.values()),
        note=note,
    )
    stream_id = round_stream(report.roster_id)
    await append_decided(store, codec, context, stream_id, [recorded], ANY_VERSION)
