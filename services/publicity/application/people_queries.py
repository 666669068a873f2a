"""What the lookup, the QR tokens and the clear card read of ``lookup_people``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.publicity.adapters.lookup_tables import lookup_people


@dataclass(frozen=True, slots=True)
class Person:
    beneficiary_id: str
    id_index: str
    name_digest: str
    masked_name: str
    masked_citizen_id: str
    household_id: str
    village_code: str
    phone: str | None
    """Sealed, as the log holds it."""
    phone_index: str | None
    reach: str


def _person(row: Any) -> Person:
    return Person(**{name: row[name] for name in Person.__slots__})


async def person_by_index(conn: AsyncConnection, id_index: str) -> Person | None:
    """The person whose ID has this blind index (None: nobody on the register)."""
    result = await conn.execute(
        select(lookup_people).where(lookup_people.c.id_index == id_index).limit(1)
    )
    row = result.mappings().first()
    return None if row is None else _person(row)


async def person_by_id(conn: AsyncConnection, beneficiary_id: str) -> Person | None:
    result = await conn.execute(
        select(lookup_people).where(lookup_people.c.beneficiary_id == beneficiary_id)
    )
    row = result.mappings().first()
    return None if row is None else _person(row)


async def household_members(conn: AsyncConnection, household_id: str) -> list[Person]:
    """The household's registered members, in beneficiary order."""
    result = await conn.execute(
        select(lookup_people)
        .where(lookup_people.c.household_id == household_id)
        .order_by(lookup_people.c.beneficiary_id)
    )
    return [_person(row) for row in result.mappings().all()]
