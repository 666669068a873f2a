"""Validation's ``Register`` port over the register read model, a chunk of rows at a time.

A roster of a million rows cannot hold the register in memory, nor afford a query per row:
the importer reads its lines in chunks, and for each chunk fetches the people it names in one
query (by blind index), opening their sealed account and phone only then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.pii import CardAccountNo, PhoneNo, PiiError
from infra.pii.cipher import FieldCipher
from services.registry.adapters.tables import register_people
from services.registry.domain.validation_ports import RegisteredPerson

_FETCH_SIZE = 900
"""Keys per query: below SQLite's oldest limit of 999 bound parameters."""


@dataclass(frozen=True, slots=True)
class Found:
    beneficiary_id: str
    person: RegisteredPerson


class FetchedRegister:
    """The ``Register`` port over the people fetched for one chunk of roster lines."""

    def __init__(
        self, found: Mapping[str, Found], indexes: Mapping[str, str] | None = None
    ) -> None:
        self._found = found
        self._indexes = indexes or {}

    def person(self, citizen_id: str) -> RegisteredPerson | None:
        found = self._found.get(citizen_id)
        return found.person if found is not None else None

    def beneficiary_id(self, citizen_id: str) -> str | None:
        found = self._found.get(citizen_id)
        return found.beneficiary_id if found is not None else None

    def index_of(self, citizen_id: str) -> str | None:
        """The blind index computed for the ID when the chunk was fetched."""
        return self._indexes.get(citizen_id)


async def fetch_register(
    conn: AsyncConnection, citizen_ids: Iterable[str], *, cipher: FieldCipher
) -> FetchedRegister:
    """The registered people among ``citizen_ids`` (normalised IDs; others are ignored)."""
    by_index: dict[str, str] = {}
    for citizen_id in citizen_ids:
        try:
            by_index[cipher.blind_index("citizen_id", citizen_id)] = citizen_id
        except PiiError:
            continue  # not an ID at all: validation says so, there is nobody to look up
    found: dict[str, Found] = {}
    keys = list(by_index)
    for start in range(0, len(keys), _FETCH_SIZE):
        wanted = keys[start : start + _FETCH_SIZE]
        rows = await conn.execute(
            select(register_people).where(register_people.c.citizen_bidx.in_(wanted))
        )
        for row in rows:
            found[by_index[row.citizen_bidx]] = Found(row.beneficiary_id, _person(row, cipher))
    return FetchedRegister(found, {citizen_id: bidx for bidx, citizen_id in by_index.items()})


def _person(row: Any, cipher: FieldCipher) -> RegisteredPerson:
    account = _open(CardAccountNo, row.account, cipher)
    return RegisteredPerson(
        name=row.name,
        card_account=account,
        bank=row.bank,
        account_status=row.account_status,
        account_since=row.account_since,
        village_code=row.village_code,
        phone=_open(PhoneNo, row.phone, cipher),
        household_id=row.household_id,
        deceased=row.deceased == "y",
    )


def _open(
    kind: type[CardAccountNo] | type[PhoneNo], sealed: str | None, cipher: FieldCipher
) -> str | None:
    if sealed is None:
        return None
    return kind.from_sealed(orjson.loads(sealed), cipher).reveal()
