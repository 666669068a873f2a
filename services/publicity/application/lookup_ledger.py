"""The per-address and per-phone limits of the lookup, counted in ``lookup_ledger`` in the
projection database (shared by every publicity process, kept across restarts).

Per address: a brake on one machine's flood, answered as such (it says nothing about anyone).
Per phone: codes sent to one number, across the people sharing it; beyond it no SMS goes
out, and the asker is answered as always (an answer that differed would tell that the ID and
name belong to someone)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.publicity.adapters.lookup_tables import lookup_ledger

HOUR: Final = timedelta(hours=1)
DAY: Final = timedelta(days=1)
CLIENT: Final = "client"
PHONE: Final = "phone"


@dataclass(frozen=True, slots=True)
class LedgerLimits:
    client_per_hour: int = 30
    phone_per_hour: int = 3
    phone_per_day: int = 10


async def _count(conn: AsyncConnection, kind: str, key: str, since: datetime) -> int:
    result = await conn.execute(
        select(func.count()).where(
            lookup_ledger.c.kind == kind, lookup_ledger.c.key == key, lookup_ledger.c.at > since
        )
    )
    return int(result.scalar_one())


async def note(conn: AsyncConnection, kind: str, key: str, at: datetime) -> None:
    await conn.execute(
        insert(lookup_ledger).values(entry_id=uuid.uuid4(), kind=kind, key=key, at=at)
    )


async def admit_client(
    conn: AsyncConnection, client: str, now: datetime, limits: LedgerLimits
) -> bool:
    """Whether the address may make one more lookup request now; if so, it is counted."""
    if await _count(conn, CLIENT, client, now - HOUR) >= limits.client_per_hour:
        return False
    await note(conn, CLIENT, client, now)
    return True


async def phone_has_room(
    conn: AsyncConnection, phone_index: str, now: datetime, limits: LedgerLimits
) -> bool:
    """Whether one more code may be sent to the number (by its blind index) now."""
    hour = await _count(conn, PHONE, phone_index, now - HOUR)
    day = await _count(conn, PHONE, phone_index, now - DAY)
    return hour < limits.phone_per_hour and day < limits.phone_per_day


async def prune_ledger(conn: AsyncConnection, now: datetime) -> int:
    """Forget entries no limit counts any more; return how many."""
    result = await conn.execute(delete(lookup_ledger).where(lookup_ledger.c.at <= now - DAY))
    return int(result.rowcount or 0)
