"""The payout projection: rounds, rows and instructions as their streams say them, refreshed
after every change — by the command or reaction that appended (so the bank and the clerks see
it at once) and again by the consumer when the change comes back over the bus (so a refresh
lost to a crash is only late). Each row carries its stream's version; a stale refresh never
overwrites a newer one, and the consumer reads a stream again only when the projection is
behind the event it was handed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
import structlog
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.pii import PII_CONTEXT_KEY, PiiCipher
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.projections.database import ProjectionDatabase
from services.payout.adapters.tables import (
    payment_instructions,
    payment_rounds,
    payment_rows,
    upsert_newer,
)
from services.payout.application.streams import fold_round, load_row, read, round_stream
from services.payout.domain.events import PaymentRoundOpened
from services.payout.domain.instructions import batch_id
from services.payout.domain.round import RoundState
from services.payout.domain.row import RowPayment

RowKey = tuple[str, int]
log = structlog.get_logger()


async def project_rows(
    conn: AsyncConnection, cipher: PiiCipher, rows: Iterable[tuple[RowPayment, int]]
) -> None:
    """Refresh each row (and its instructions) from its state at its stream's version."""
    states = list(rows)
    await upsert_newer(conn, payment_rows, [_row(row, version) for row, version in states])
    instructions = [
        record for row, version in states for record in _instructions(row, version, cipher)
    ]
    await upsert_newer(conn, payment_instructions, instructions)


async def refresh_rows_now(
    projections: ProjectionDatabase, cipher: PiiCipher, rows: Sequence[tuple[RowPayment, int]]
) -> None:
    """A command's refresh of the rows it changed, in one transaction of its own; a failure
    only leaves them to the consumer, which refreshes them when the change comes over the bus."""
    if not rows:
        return
    try:
        async with projections.transaction() as conn:
            await project_rows(conn, cipher, rows)
    except Exception:
        log.warning("payout.projection_refresh_failed", exc_info=True)


async def refresh_rows(
    conn: AsyncConnection,
    store: EventStore,
    codec: EventCodec,
    cipher: PiiCipher,
    seen: Mapping[RowKey, int],
) -> None:
    """Refresh the rows whose projection is older than the version their stream was seen at."""
    if not seen:
        return
    projected = await _versions(conn, seen)
    behind = [key for key, version in seen.items() if projected.get(key, 0) < version]
    states = []
    for roster_id, row_no in behind:
        row, version = await load_row(store, codec, roster_id, row_no)
        if row is not None:
            states.append((row, version))
    await project_rows(conn, cipher, states)


async def project_round(
    conn: AsyncConnection, store: EventStore, codec: EventCodec, roster_id: str
) -> None:
    """Refresh a round from its whole stream (nothing before it opened or was blocked)."""
    envelopes = await read(store, codec, round_stream(roster_id))
    opened_at = next(
        (e.occurred_at for e in envelopes if isinstance(e.event, PaymentRoundOpened)), None
    )
    record = round_record(fold_round(envelopes), len(envelopes), opened_at)
    if record is not None:
        await upsert_newer(conn, payment_rounds, [record])


def round_record(
    state: RoundState | None, version: int, opened_at: datetime | None
) -> dict[str, Any] | None:
    if state is None or (state.opened is None and not state.blocked):
        return None
    opened = state.opened
    blocked = [{"submission_no": no, "reason_code": code} for no, code in state.blocked.items()]
    if opened is None:
        no = max(state.blocked)
        terms = state.terms.get(no)
        approval = state.approvals[no]
        return {
            "roster_id": state.roster_id,
            "stream_version": version,
            "status": "blocked",
            "submission_no": no,
            "round_id": approval.round_id,
            "programme_code": terms.programme_code if terms else "",
            "programme_name": terms.programme_name if terms else "",
            "township_code": terms.township_code if terms else "",
            "row_count": approval.approved_row_count,
            "total_fen": approval.total_fen,
            "batches": [],
            "blocked": blocked,
            "instructed": False,
            "opened_at": None,
        }
    return {
        "roster_id": state.roster_id,
        "stream_version": version,
        "status": "open",
        "submission_no": opened.submission_no,
        "round_id": opened.round_id,
        "programme_code": opened.programme_code,
        "programme_name": opened.programme_name,
        "township_code": opened.township_code,
        "row_count": opened.row_count,
        "total_fen": opened.total_fen,
        "batches": _batches(state),
        "blocked": blocked,
        "instructed": state.instructed,
        "opened_at": opened_at,
    }


def _batches(state: RoundState) -> list[dict[str, Any]]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in state.paid_rows:
        totals[row.bank_code][0] += 1
        totals[row.bank_code][1] += row.amount_fen
    return [
        {
            "batch_id": batch_id(state.roster_id, bank),
            "bank_code": bank,
            "row_count": count,
            "total_fen": fen,
        }
        for bank, (count, fen) in sorted(totals.items())
    ]


def _row(row: RowPayment, version: int) -> dict[str, Any]:
    first, latest = row.first, row.latest
    return {
        "roster_id": first.roster_id,
        "row_no": first.row_no,
        "stream_version": version,
        "status": row.status,
        "township_code": first.township_code,
        "bank_code": first.bank_code,
        "beneficiary_id": first.beneficiary_id,
        "amount_fen": first.amount_fen,
        "attempts": len(row.attempts),
        "latest_instruction_id": latest.instruction_id,
        "paid_by": row.paid_by,
        "reason_code": latest.reason_code,
    }


def _instructions(row: RowPayment, version: int, cipher: PiiCipher) -> list[dict[str, Any]]:
    held = row.status in ("paid", "returned", "review")
    records = []
    for attempt in row.attempts:
        instruction = attempt.instruction
        dumped = instruction.model_dump(
            mode="json", include={"account_no"}, context={PII_CONTEXT_KEY: cipher}
        )
        records.append(
            {
                "instruction_id": instruction.instruction_id,
                "stream_version": version,
                "roster_id": instruction.roster_id,
                "row_no": instruction.row_no,
                "attempt": instruction.attempt,
                "batch_id": instruction.batch_id,
                "bank_code": instruction.bank_code,
                "township_code": instruction.township_code,
                "status": attempt.status,
                "served": attempt.status in ("pending", "unknown") and not held,
                "amount_fen": instruction.amount_fen,
                "name": instruction.name,
                "account": orjson.dumps(dumped["account_no"]).decode(),
                "because": instruction.because,
            }
        )
    return records


async def _versions(conn: AsyncConnection, keys: Iterable[RowKey]) -> dict[RowKey, int]:
    wanted = list(keys)
    found: dict[RowKey, int] = {}
    for start in range(0, len(wanted), 500):
        chunk: Sequence[RowKey] = wanted[start : start + 500]
        query = select(
            payment_rows.c.roster_id, payment_rows.c.row_no, payment_rows.c.stream_version
        ).where(tuple_(payment_rows.c.roster_id, payment_rows.c.row_no).in_(chunk))
        for roster_id, row_no, version in await conn.execute(query):
            found[(roster_id, row_no)] = version
    return found
