"""The inbox: which events each consumer has applied, written in the same transaction.

A consumer claims an event before applying it; the claim and the effect commit or roll back
together, so a redelivered event (the bus is at-least-once) is recognised and skipped, and a
failed one is left unclaimed for the next try.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
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
    """Record in the caller's transaction that ``consumer`` applies ``event_id``.

    True: the caller must apply the event now, in this transaction. False: it was already
    applied (committed, or claimed earlier in this transaction): skip it. While another
    transaction holds an uncommitted claim of the same event, this waits for its outcome.
    """
    statement = (
        _INSERTS[conn.dialect.name](inbox)
        .values(
            consumer=consumer,
            event_id=event_id,
            position=position,
            applied_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
    )
    result = await conn.execute(statement)
    return result.rowcount == 1
