"""The register as validation sees it for one chunk of roster lines (``FetchedRegister``),
and what every way of fetching it shares: the blind indexes to look the lines up by, and a
register row made a ``RegisteredPerson``.

A roster of a million rows cannot hold the register in memory, nor afford a query per row:
the importer reads its lines in chunks, and for each chunk fetches the people it names in
one query by blind index (``register_lookup`` through SQLAlchemy, ``register_sqlite`` on a
read-only connection in an import worker), opening their sealed account and phone then.

Opening is the cheapest honest comparison: an AES-GCM open of a 20-byte value costs less
than the HMAC that comparing blind indexes would compute for the line's value (measured in
docs/adr/007-roster-imports.md), so each sealed value is opened once, directly by the
cipher, without the ``CardAccountNo`` / ``PhoneNo`` wrappers and their second key check.
No SQLAlchemy here: import workers load this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Final

import orjson

from contracts.pii import PiiError, PiiKind
from infra.pii.cipher import FieldCipher
from services.registry.domain.roster_rows import Column, RosterLine
from services.registry.domain.validation_ports import RegisteredPerson
from services.registry.domain.validation_rows import new_tuple

FETCH_SIZE: Final = 900
"""Keys per query: below SQLite's oldest limit of 999 bound parameters."""
COLUMNS: Final = (
    "citizen_bidx",
    "beneficiary_id",
    "name",
    "account",
    "bank",
    "account_status",
    "account_since",
    "village_code",
    "phone",
    "household_id",
    "deceased",
)
"""The ``register_people`` columns a fetch selects, in the order ``add_person`` reads them."""
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


class RegisterFetch:
    """One chunk's fetch under way: the blind indexes to ask for, then the rows found."""

    def __init__(self, lines: Iterable[RosterLine], cipher: FieldCipher) -> None:
        self._cipher = cipher
        self._by_index: dict[str, str] = {}
        for citizen_id in {lookup_key(line): None for line in lines}:
            try:
                self._by_index[cipher.blind_index("citizen_id", citizen_id)] = citizen_id
            except PiiError:
                continue  # not an ID at all: validation says so, there is nobody to look up
        self._people: dict[str, RegisteredPerson] = {}
        self._beneficiaries: dict[str, str] = {}

    def wanted(self) -> Iterable[list[str]]:
        """The blind indexes to fetch, ``FETCH_SIZE`` at a time."""
        keys = list(self._by_index)
        return (keys[start : start + FETCH_SIZE] for start in range(0, len(keys), FETCH_SIZE))

    def add_person(self, row: Sequence[Any]) -> None:
        """A fetched row, its columns as in ``COLUMNS``."""
        citizen_id = self._by_index[row[0]]
        self._beneficiaries[citizen_id] = row[1]
        self._people[citizen_id] = person_of(row, self._cipher)

    def found(self) -> FetchedRegister:
        indexes = {citizen_id: bidx for bidx, citizen_id in self._by_index.items()}
        return FetchedRegister(self._people, self._beneficiaries, indexes)


def person_of(row: Sequence[Any], cipher: FieldCipher) -> RegisteredPerson:
    """A fetched register row (columns as in ``COLUMNS``) as validation sees the person."""
    _, _, name, account, bank, status, since, village, phone, household, dead = row
    account = _opened("card_account_no", account, cipher)
    phone = _opened("phone_no", phone, cipher)
    fields = (name, account, bank, status, _date(since), village, phone, household, dead == "y")
    return new_tuple(RegisteredPerson, fields)  # the named tuple's __new__, in C


def _opened(kind: PiiKind, sealed_json: str | None, cipher: FieldCipher) -> str | None:
    return None if sealed_json is None else cipher.open(kind, orjson.loads(sealed_json))


def _date(value: date | str | None) -> date | None:
    """``account_since`` as the driver returns it: a date (PostgreSQL) or ISO text (SQLite)."""
    return date.fromisoformat(value) if isinstance(value, str) else value
