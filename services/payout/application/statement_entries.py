"""The payout's statement entries of a bank and period, read from the projection
(``payment_statement_entries``): what the statement and the reconciliation compare."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.payout.adapters.tables import payment_statement_entries as entries
from services.payout.domain.reconciliation import Entry, Period
from services.payout.domain.reconciliation_events import OurStatus

_CHUNK: Final = 500


async def load_entries(
    conn: AsyncConnection, *, bank_code: str, scope: str, period: Period, ids: Sequence[str] = ()
) -> list[Entry]:
    """The bank's entries dated in or after the period's start or still open, and those
    ``ids`` name."""
    c = entries.c
    mine = (c.bank_code == bank_code, c.township_code.startswith(scope, autoescape=True))
    first = period.first
    dated = or_(
        c.instructed_on >= first,
        c.answered_on >= first,
        c.value_date >= first,
        c.returned_on >= first,
        c.outcome.in_(("pending", "unknown")),
    )
    rows = list((await conn.execute(select(entries).where(*mine, dated))).mappings())
    wanted = sorted(set(ids) - {row["instruction_id"] for row in rows})
    for start in range(0, len(wanted), _CHUNK):
        named = c.instruction_id.in_(wanted[start : start + _CHUNK])
        rows += list((await conn.execute(select(entries).where(*mine, named))).mappings())
    return [_entry(row) for row in rows]


def _entry(row: Any) -> Entry:
    status: OurStatus = "returned" if row["returned_on"] is not None else row["outcome"]
    status_on = {
        "returned": row["returned_on"],
        "succeeded": row["value_date"],
        "rejected": row["answered_on"],
    }.get(status)
    return Entry(
        instruction_id=row["instruction_id"],
        roster_id=row["roster_id"],
        row_no=row["row_no"],
        amount_fen=row["amount_fen"],
        instructed_on=row["instructed_on"],
        status=status,
        status_on=status_on,
        bank_reference=row["bank_reference"],
    )
