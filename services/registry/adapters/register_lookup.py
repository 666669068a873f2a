"""Validation's ``Register`` port over the register read model, a chunk of rows at a time.

A roster of a million rows cannot hold the register in memory, nor afford a query per row:
the importer reads its lines in chunks, and for each chunk fetches the people it names in one
query (by blind index), opening their sealed account and phone then.

Opening is the cheapest honest comparison: an AES-GCM open of a 20-byte value costs less
than the HMAC that comparing blind indexes would compute for the line's value (measured in
docs/adr/007-roster-imports.md), so each sealed value is opened once, directly by the
cipher, without the ``CardAccountNo`` / ``PhoneNo`` wrappers and their second key check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final

import orjson
from sqlalchemy import String, bindparam, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.pii import PiiError, PiiKind
from infra.pii.cipher import FieldCipher
from services.registry.adapters.tables import register_people
from services.registry.domain.roster_rows import Column, RosterLine
from services.registry.domain.validation_ports import RegisteredPerson

_FETCH_SIZE: Final = 900
"""Keys per query: below SQLite's oldest limit of 999 bound parameters."""
_people = register_people.c
_QUERY: Final = select(
    _people.citizen_bidx,
    _people.beneficiary_id,
    _people.name,
    _people.account,
    _people.bank,
    _people.account_status,
    type_coerce(_people.account_since, String),  # parsed here: faster than the dialect's
    _people.village_code,
    _people.phone,
    _people.household_id,
    _people.deceased,
).where(_people.citizen_bidx.in_(bindparam("wanted", expanding=True)))
_CITIZEN_ID = Column.CITIZEN_ID


def lookup_key(line: RosterLine) -> str:
    """The ID a line is looked up by: its ID cell, upper case (the normal form of an ID)."""
    return line.cells.get(_CITIZEN_ID, "").strip().upper()


class FetchedRegister:
    """The ``Register`` port over the people fetched for one chunk of roster lines."""

    def __init__(
        self,
        people: Mapping[str, RegisteredPerson],
        beneficiaries: Mapping[str, str] | None = None,
        indexes: Mapping[str, str] | None = None,
    ) -> None:
        self._people = people
        self._beneficiaries = beneficiaries or {}
        self._indexes = indexes or {}

    def person(self, citizen_id: str) -> RegisteredPerson | None:
        return self._people.get(citizen_id)

    def beneficiary_id(self, citizen_id: str) -> str | None:
        return self._beneficiaries.get(citizen_id)

    def index_of(self, citizen_id: str) -> str | None:
        """The blind index computed for the ID when the chunk was fetched."""
        return self._indexes.get(citizen_id)


async def fetch_register(
    conn: AsyncConnection, lines: Iterable[RosterLine], *, cipher: FieldCipher
) -> FetchedRegister:
    """The registered people the lines name (lines whose ID cell is not an ID name nobody)."""
    by_index: dict[str, str] = {}
    for citizen_id in {lookup_key(line): None for line in lines}:
        try:
            by_index[cipher.blind_index("citizen_id", citizen_id)] = citizen_id
        except PiiError:
            continue  # not an ID at all: validation says so, there is nobody to look up
    people: dict[str, RegisteredPerson] = {}
    beneficiaries: dict[str, str] = {}
    keys = list(by_index)
    for start in range(0, len(keys), _FETCH_SIZE):
        rows = await conn.execute(_QUERY, {"wanted": keys[start : start + _FETCH_SIZE]})
        for row in rows:
            citizen_id = by_index[row[0]]
            beneficiaries[citizen_id] = row[1]
            people[citizen_id] = _person(row, cipher)
    indexes = {citizen_id: bidx for bidx, citizen_id in by_index.items()}
    return FetchedRegister(people, beneficiaries, indexes)


def _person(row: Any, cipher: FieldCipher) -> RegisteredPerson:
    _, _, name, account, bank, status, since, village, phone, household, deceased = row
    return RegisteredPerson(
        name=name,
        card_account=_opened("card_account_no", account, cipher),
        bank=bank,
        account_status=status,
        account_since=_date(since),
        village_code=village,
        phone=_opened("phone_no", phone, cipher),
        household_id=household,
        deceased=deceased == "y",
    )


def _opened(kind: PiiKind, sealed_json: str | None, cipher: FieldCipher) -> str | None:
    return None if sealed_json is None else cipher.open(kind, orjson.loads(sealed_json))


def _date(value: date | str | None) -> date | None:
    """``account_since`` as the driver returns it: a date (PostgreSQL) or ISO text (SQLite)."""
    return date.fromisoformat(value) if isinstance(value, str) else value
