"""Validation's ``Register`` port over the register read model, a chunk of rows at a time,
through the projection database (SQLite or PostgreSQL, ``ProjectionDatabase``): for rows
entered one by one and for imports validated in this process (``fetched_register`` says
how a chunk is looked up; ``register_sqlite`` is the import workers' way).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from sqlalchemy import String, bindparam, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.pii.cipher import FieldCipher
from services.registry.adapters.fetched_register import (
    COLUMNS,
    FETCH_SIZE,
    FetchedRegister,
    RegisterFetch,
    person_of,
)
from services.registry.adapters.tables import register_people
from services.registry.domain.roster_rows import RosterLine
from services.registry.domain.validation_ports import RegisteredPerson

_people = register_people.c
_SELECT: Final = select(
    *(
        type_coerce(_people[name], String) if name == "account_since" else _people[name]
        for name in COLUMNS  # account_since parsed in RegisterFetch: faster than the dialect
    )
)
_QUERY: Final = _SELECT.where(_people.citizen_bidx.in_(bindparam("wanted", expanding=True)))
_BY_BENEFICIARY: Final = _SELECT.where(
    _people.beneficiary_id.in_(bindparam("wanted", expanding=True))
)


async def fetch_register(
    conn: AsyncConnection, lines: Iterable[RosterLine], *, cipher: FieldCipher
) -> FetchedRegister:
    """The registered people the lines name (lines whose ID cell is not an ID name nobody)."""
    fetch = RegisterFetch(lines, cipher)
    for wanted in fetch.wanted():
        for row in await conn.execute(_QUERY, {"wanted": wanted}):
            fetch.add_person(row)
    return fetch.found()


async def fetch_beneficiaries(
    conn: AsyncConnection, beneficiary_ids: Iterable[str], *, cipher: FieldCipher
) -> dict[str, RegisteredPerson]:
    """The registered people by beneficiary id (ids not in the register are left out)."""
    wanted = list(dict.fromkeys(beneficiary_ids))
    people: dict[str, RegisteredPerson] = {}
    for start in range(0, len(wanted), FETCH_SIZE):
        batch = {"wanted": wanted[start : start + FETCH_SIZE]}
        for row in await conn.execute(_BY_BENEFICIARY, batch):
            people[row[1]] = person_of(row, cipher)
    return people
