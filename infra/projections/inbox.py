"""The inbox: which events each consumer has applied, written in the same transaction.

A consumer claims an event before applying it; the claim and the effect commit or roll back
together, so a redelivered event (the bus is at-least-once) is recognised and skipped, and a
failed one is left unclaimed for the next try.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, Uuid
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

INBOX_TABLES: Final = MetaData()

inbox: Final = Table(
    "inbox",
    INBOX_TABLES,
    Column("consumer", String(200), primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

_INSERTS: Final[dict[str, Callable[[Table], Any]]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


async def claim(
    conn: AsyncConnection, *, consumer: str, event_id: uuid.UUID, position: int
) -> bool:
    """:func:`claim_batch` for one event: True when the caller must apply it now."""
    return event_id in await claim_batch(conn, consumer=consumer, events=[(event_id, position)])


async def claim_batch(
    conn: AsyncConnection, *, consumer: str, events: Sequence[tuple[uuid.UUID, int]]
) -> set[uuid.UUID]:
    """Record in the caller's transaction that ``consumer`` applies these (event id, position)
    pairs, in one statement; return the ids it must apply now, in this transaction.

    An id missing from the answer was already applied (committed, or claimed earlier in this
    transaction): skip it. While another transaction holds an uncommitted claim of the same
    event, this waits for its outcome. Ids must be distinct within one call.
    """
    if not events:
        return set()
    now = datetime.now(UTC)
    rows = [
        {"consumer": consumer, "event_id": event_id, "position": position, "applied_at": now}
        for event_id, position in events
    ]
    statement = (
        _INSERTS[conn.dialect.name](inbox)
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        .returning(inbox.c.event_id)
    )  # one cached statement; SQLAlchemy batches the rows ("insertmanyvalues")
    return set((await conn.execute(statement, rows)).scalars())
