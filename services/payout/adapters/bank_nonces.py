"""The nonces the agent banks' signed requests have used, kept while their timestamps could
still be accepted: a request replayed within that window — even after a restart — is refused.

A table of the payout's projection database, but not a projection: it is not rebuilt from
the log, and a nonce is only worth remembering for the acceptance window (then its
timestamp is refused anyway), so expired ones are deleted as new ones are claimed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from sqlalchemy import BigInteger, Column, MetaData, String, Table, delete
from sqlalchemy.dialects import postgresql, sqlite

from infra.projections.database import ProjectionDatabase

BANK_TABLES = MetaData()

bank_nonces = Table(
    "bank_nonces",
    BANK_TABLES,
    Column("key_id", String(80), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("expires_at", BigInteger, nullable=False, index=True),
)
"""A nonce per key, and when (epoch seconds) it may be forgotten."""

_INSERTS: Final[dict[str, Callable[[Table], Any]]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


class NonceRegister:
    """Claims nonces: each (key, nonce) once until it expires."""

    def __init__(self, projections: ProjectionDatabase) -> None:
        self.projections = projections
        self._tables_ready = False

    async def claim(self, key_id: str, nonce: str, *, expires_at: datetime, now: datetime) -> bool:
        """Record the nonce; False when it was already used and has not expired. Expired
        nonces are forgotten in the same transaction."""
        if not self._tables_ready:
            await self.projections.create_tables(BANK_TABLES)
            self._tables_ready = True
        insert = _INSERTS[self.projections.dialect](bank_nonces).on_conflict_do_nothing()
        row = {"key_id": key_id, "nonce": nonce, "expires_at": int(expires_at.timestamp())}
        expired = bank_nonces.c.expires_at < int(now.timestamp())
        async with self.projections.transaction() as conn:
            await conn.execute(delete(bank_nonces).where(expired))
            result = await conn.execute(insert, row)
        return bool(result.rowcount == 1)
