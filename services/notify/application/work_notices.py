"""The work-queue projection: the payout's events applied to ``work_notices`` in log order
(``domain/work_queue.py`` says what each changes). A row's events share one stream, so they
arrive in order; a closing event for a row that never had a notice (the common success) costs
no statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from services.notify.adapters.tables import INSERTS, work_notices
from services.notify.domain.work_queue import (
    AwaitBank,
    Change,
    CloseNotices,
    OpenNotice,
    work_change,
)

_KEEP_WHEN_MISSING = ("programme_code", "beneficiary_id", "attempt")


async def apply_work_changes(conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]) -> None:
    changes = [
        (envelope.occurred_at, change)
        for envelope in envelopes
        if (change := work_change(envelope.event)) is not None
    ]
    if not changes:
        return
    known = await _rows_with_notices(conn, {change.roster_id for _, change in changes})
    for at, change in changes:
        row = (change.roster_id, change.row_no)
        if isinstance(change, OpenNotice):
            known.add(row)
            await _open(conn, change, at)
        elif row in known:
            await _move(conn, change, at)


async def _rows_with_notices(conn: AsyncConnection, roster_ids: set[str]) -> set[tuple[str, int]]:
    rows = await conn.execute(
        select(work_notices.c.roster_id, work_notices.c.row_no)
        .where(work_notices.c.roster_id.in_(sorted(roster_ids)))
        .distinct()
    )
    return {(row.roster_id, row.row_no) for row in rows}


async def _open(conn: AsyncConnection, notice: OpenNotice, at: datetime) -> None:
    values = {
        "roster_id": notice.roster_id,
        "row_no": notice.row_no,
        "kind": notice.kind,
        "status": "open",
        "township_code": notice.township_code,
        "programme_code": notice.programme_code,
        "beneficiary_id": notice.beneficiary_id,
        "instruction_id": notice.instruction_id,
        "attempt": notice.attempt,
        "amount_fen": notice.amount_fen,
        "reason_code": notice.reason_code,
        "reason": notice.reason,
        "opened_at": at,
        "closed_at": None,
        "closed_because": None,
    }
    statement = INSERTS[conn.dialect.name](work_notices).values(**values)
    keys = ("roster_id", "row_no", "kind")
    changes = {
        name: func.coalesce(statement.excluded[name], work_notices.c[name])
        if name in _KEEP_WHEN_MISSING
        else statement.excluded[name]
        for name in values
        if name not in keys
    }
    await conn.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changes))


async def _move(conn: AsyncConnection, change: Change, at: datetime) -> None:
    of_row = (work_notices.c.roster_id == change.roster_id) & (
        work_notices.c.row_no == change.row_no
    )
    if isinstance(change, AwaitBank):
        statement = update(work_notices).where(
            of_row, work_notices.c.kind == "failed", work_notices.c.status == "open"
        )
        await conn.execute(statement.values(status="awaits_bank"))
    elif isinstance(change, CloseNotices):
        statement = update(work_notices).where(
            of_row, work_notices.c.kind.in_(change.kinds), work_notices.c.status != "closed"
        )
        await conn.execute(
            statement.values(status="closed", closed_at=at, closed_because=change.because)
        )
