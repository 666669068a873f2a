"""The village register projection: fed by BeneficiaryRegistered, read by the public pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import BeneficiaryRegistered
from services.publicity.adapters.tables import village_register
from services.publicity.domain.masking import mask_name


async def on_beneficiary_registered(conn: AsyncConnection, envelope: Envelope[Event]) -> None:
    """Add the person to the village's public register (the inbox guarantees once)."""
    event = envelope.event
    if not isinstance(event, BeneficiaryRegistered):
        return
    await conn.execute(
        insert(village_register).values(
            beneficiary_id=event.beneficiary_id,
            village_code=event.village_code,
            masked_name=mask_name(event.name),
            registered_at=envelope.occurred_at,
        )
    )


async def village_register_of(conn: AsyncConnection, village_code: str) -> list[dict[str, Any]]:
    """The village's register in registration order, masked."""
    rows = await conn.execute(
        select(village_register.c.beneficiary_id, village_register.c.masked_name)
        .where(village_register.c.village_code == village_code)
        .order_by(village_register.c.registered_at, village_register.c.beneficiary_id)
    )
    return [dict(row._mapping) for row in rows]
