"""One person (household), one card (一人一卡, 001 art.7): the households of a township that
hold several card accounts, read from the register read model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.adapters.tables import register_people


@dataclass(frozen=True, slots=True)
class HouseholdCards:
    """A household holding more than one card account (一户多卡, 001 art.7)."""

    household_id: str
    beneficiary_ids: tuple[str, ...]


HELD: Final = ("open", "unverified", "frozen")
"""Account statuses that count as a card the household holds: all but closed."""


async def households_with_several_cards(
    conn: AsyncConnection, township_code: str
) -> list[HouseholdCards]:
    """The households of a township with several living members holding a card account
    that is not closed, each with those members, in household order."""
    held = (
        register_people.c.township_code == township_code,
        register_people.c.account.is_not(None),
        register_people.c.account_status.in_(HELD),
        register_people.c.deceased == "n",
    )
    several = (
        select(register_people.c.household_id)
        .where(*held)
        .group_by(register_people.c.household_id)
        .having(func.count() > 1)
    )
    rows = await conn.execute(
        select(register_people.c.household_id, register_people.c.beneficiary_id)
        .where(*held, register_people.c.household_id.in_(several))
        .order_by(register_people.c.household_id, register_people.c.beneficiary_id)
    )
    members: dict[str, list[str]] = {}
    for household_id, beneficiary_id in rows:
        members.setdefault(household_id, []).append(beneficiary_id)
    return [HouseholdCards(household, tuple(ids)) for household, ids in members.items()]
