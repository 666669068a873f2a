"""The lookup's upkeep on the clock (a ``Ticker``): forget ledger entries no limit counts any
more. Idempotent; its first run creates the tables if the consumers have not yet."""

from __future__ import annotations

from dataclasses import dataclass, field

from infra.clock import Clock
from infra.projections.database import ProjectionDatabase
from services.publicity.adapters.tables import TABLES
from services.publicity.application.lookup_ledger import prune_ledger


@dataclass
class LedgerPruner:
    projections: ProjectionDatabase
    clock: Clock
    _tables_ready: bool = field(default=False, init=False)

    async def tick(self) -> None:
        if not self._tables_ready:
            await self.projections.create_tables(TABLES)
            self._tables_ready = True
        async with self.projections.transaction() as conn:
            await prune_ledger(conn, self.clock.now())
