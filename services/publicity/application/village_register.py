"""The village register projection: fed by BeneficiaryRegistered, read by the public pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import BeneficiaryRegistered
from contracts.masking import mask_name
from services.publicity.adapters.tables import village_register


async def on_beneficiary_registered(
    conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]
) -> None:
    """Add the people to their villages' public registers (the inbox guarantees once)."""
    rows = [
        {
            "beneficiary_id": envelope.event.beneficiary_id,
            "village_code": envelope.event.village_code,
            "masked_name": mask_name(envelope.event.name),
            "registered_at": envelope.occurred_at,
        }
        for envelope in envelopes
        if isinstance(envelope.event, BeneficiaryRegistered)
    ]
    if rows:
        await conn.execute(insert(village_register), rows)


async def village_register_of(conn: AsyncConnection, village_code: str) -> list[dict[str, Any]]:
    """The village's register in registration order, masked."""
    rows = await conn.execute(
        select(village_register.c.beneficiary_id, village_register.c.masked_name)
        .where(village_register.c.village_code == village_code)
        .order_by(village_register.c.registered_at, village_register.c.beneficiary_id)
    )
    return [dict(row._mapping) for row in rows]
