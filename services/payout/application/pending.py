"""The bank connector's query: what an agent bank is to be handed now, batch by batch.

Every open instruction of the bank in the connector's jurisdiction: those awaiting an answer,
and those whose outcome is unknown (``query``: the bank answers with its status under the same
id, on which it pays at most once — handing an instruction again can never pay it twice).
Rows under review are withheld. Each batch comes with its header as issued (rows and total of
the round's bank batch) and the count and total of what is handed now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.pii import CardAccountNo, PiiCipher
from infra.eventstore.port import EventStore
from infra.identity.permissions import Action, authorize, scope_of
from infra.projections.database import ProjectionDatabase
from services.payout.adapters.tables import payment_instructions, payment_rounds
from services.payout.application.reads import ReadContext, log_payment_read


@dataclass(frozen=True, slots=True)
class PendingInstruction:
    instruction_id: str
    roster_id: str
    row_no: int
    attempt: int
    name: str
    account_no: CardAccountNo
    """Sealed until the connector reveals it for the bank."""
    amount_fen: int
    query: bool
    """The outcome is unknown: the bank is asked for its status, not to pay anew."""


@dataclass(frozen=True, slots=True)
class PendingBatch:
    batch_id: str
    roster_id: str
    round_id: str
    programme_name: str
    township_code: str
    bank_code: str
    issued_rows: int
    issued_fen: int
    instructions: tuple[PendingInstruction, ...]

    @property
    def row_count(self) -> int:
        return len(self.instructions)

    @property
    def total_fen(self) -> int:
        return sum(instruction.amount_fen for instruction in self.instructions)


async def pending_batches(
    *,
    store: EventStore,
    projections: ProjectionDatabase,
    cipher: PiiCipher,
    read_context: ReadContext,
    bank_code: str,
    limit: int = 10_000,
    batch_id: str | None = None,
) -> list[PendingBatch]:
    """The bank's open instructions within the reader's jurisdiction, by batch (only
    ``batch_id`` when given), at most ``limit`` instructions (the rest come with the next
    call). ``Forbidden`` unless the reader may exchange with banks. Names and card accounts
    go to the bank: the read is written to the query log (per roster, with its rows) before
    anything is returned."""
    actor = read_context.actor
    authorize(actor, Action.BANK_EXCHANGE, actor.jurisdiction_code)
    scope = scope_of(actor) or ""
    found = payment_instructions.c
    query = (
        select(payment_instructions)
        .where(found.bank_code == bank_code, found.served.is_(True))
        .where(found.township_code.startswith(scope, autoescape=True))
        .where(found.batch_id == batch_id if batch_id is not None else true())
        .order_by(found.batch_id, found.roster_id, found.row_no, found.attempt)
        .limit(limit)
    )
    async with projections.transaction() as conn:
        rows = (await conn.execute(query)).mappings().all()
        rounds = await _rounds(conn, {row["roster_id"] for row in rows})
    batches = _batches(rows, rounds, cipher)
    for roster_id in sorted({batch.roster_id for batch in batches}):
        row_nos = sorted(
            {i.row_no for b in batches if b.roster_id == roster_id for i in b.instructions}
        )
        await log_payment_read(store, read_context, roster_id=roster_id, row_nos=row_nos)
    return batches


async def _rounds(conn: AsyncConnection, roster_ids: set[str]) -> dict[str, Any]:
    if not roster_ids:
        return {}
    query = select(payment_rounds).where(payment_rounds.c.roster_id.in_(sorted(roster_ids)))
    return {row["roster_id"]: row for row in (await conn.execute(query)).mappings()}


def _batches(rows: Sequence[Any], rounds: dict[str, Any], cipher: PiiCipher) -> list[PendingBatch]:
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row["batch_id"], []).append(row)
    batches = []
    for batch_id, members in grouped.items():
        first = members[0]
        header = rounds.get(first["roster_id"])
        issued = next(
            (b for b in (header["batches"] if header else []) if b["batch_id"] == batch_id),
            {"row_count": 0, "total_fen": 0},
        )
        batches.append(
            PendingBatch(
                batch_id=batch_id,
                roster_id=first["roster_id"],
                round_id=header["round_id"] if header else "",
                programme_name=header["programme_name"] if header else "",
                township_code=first["township_code"],
                bank_code=first["bank_code"],
                issued_rows=issued["row_count"],
                issued_fen=issued["total_fen"],
                instructions=tuple(_instruction(row, cipher) for row in members),
            )
        )
    return batches


def _instruction(row: Any, cipher: PiiCipher) -> PendingInstruction:
    return PendingInstruction(
        instruction_id=row["instruction_id"],
        roster_id=row["roster_id"],
        row_no=row["row_no"],
        attempt=row["attempt"],
        name=row["name"],
        account_no=CardAccountNo.from_sealed(orjson.loads(row["account"]), cipher),
        amount_fen=row["amount_fen"],
        query=row["status"] == "unknown",
    )
