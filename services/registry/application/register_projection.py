"""The register read model: fed by the registry's own integration events; read by roster
validation (``adapters.register_lookup``) and the one-card check
(``adapters.register_households``)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final

import orjson
from sqlalchemy import Update, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import (
    BeneficiaryDeceased,
    BeneficiaryDetailsCorrected,
    BeneficiaryRegistered,
    CardAccountClosed,
    CardAccountDeclared,
    CardAccountFrozen,
    CardAccountUnfrozen,
    CardAccountVerified,
)
from contracts.pii import PII_CONTEXT_KEY, PiiCipher
from contracts.zones import local_date
from services.registry.adapters.tables import register_people

REGISTER_EVENTS: Final[tuple[type[Event], ...]] = (
    BeneficiaryRegistered,
    CardAccountDeclared,
    BeneficiaryDetailsCorrected,
    CardAccountVerified,
    CardAccountFrozen,
    CardAccountUnfrozen,
    CardAccountClosed,
    BeneficiaryDeceased,
)
"""The events the read model carries; a move out reaches it as its ``CardAccountClosed``."""

_STATUS: Final[dict[type[Event], str]] = {
    CardAccountVerified: "open",
    CardAccountFrozen: "frozen",
    CardAccountClosed: "closed",
}


def register_handler(cipher: PiiCipher) -> Any:
    """The consumer's handler: add registered people, then apply what changed.

    Every change sets columns to values (none adds to one), so the changes of a batch fold,
    in log order, into each person's last value per column; people whose changes touch the
    same columns are then updated by one statement.
    """

    async def on_register_events(
        conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]
    ) -> None:
        people = [
            _person(envelope.event, cipher)
            for envelope in envelopes
            if isinstance(envelope.event, BeneficiaryRegistered)
        ]
        if people:  # a person's registration is the first event of their stream
            await conn.execute(insert(register_people), people)
        changed: dict[str, dict[str, Any]] = {}
        for envelope in envelopes:
            change = _change(envelope, cipher)
            if change is not None:
                changed.setdefault(change[0], {}).update(change[1])
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for who, values in changed.items():
            params = {f"new_{column}": value for column, value in values.items()}
            by_columns.setdefault(tuple(sorted(values)), []).append({"who": who, **params})
        for columns, rows in by_columns.items():
            await conn.execute(_update(columns), rows)

    return on_register_events


@lru_cache(maxsize=64)
def _update(columns: tuple[str, ...]) -> Update:
    """``UPDATE register_people SET <column> = :new_<column>, … WHERE beneficiary_id = :who``"""
    return (
        update(register_people)
        .where(register_people.c.beneficiary_id == bindparam("who"))
        .values({column: bindparam(f"new_{column}") for column in columns})
    )


def _change(envelope: Envelope[Event], cipher: PiiCipher) -> tuple[str, dict[str, Any]] | None:
    """Whose row an event changes, and the columns it sets."""
    event = envelope.event
    if isinstance(event, CardAccountDeclared):
        return event.beneficiary_id, _account(event, envelope, cipher)
    if isinstance(event, CardAccountUnfrozen):
        return event.beneficiary_id, {"account_status": event.status}
    if isinstance(event, CardAccountVerified | CardAccountFrozen | CardAccountClosed):
        return event.beneficiary_id, {"account_status": _STATUS[type(event)]}
    if isinstance(event, BeneficiaryDetailsCorrected):
        return event.beneficiary_id, _details(event, cipher)
    if isinstance(event, BeneficiaryDeceased):
        return event.beneficiary_id, {"deceased": "y"}
    return None


def _person(event: BeneficiaryRegistered, cipher: PiiCipher) -> dict[str, Any]:
    sealed = _sealed_parts(event, cipher)
    return {
        "beneficiary_id": event.beneficiary_id,
        "citizen_bidx": sealed["citizen_id"]["bidx"],
        "name": event.name,
        "village_code": event.village_code,
        "township_code": event.village_code[:9],
        "household_id": event.household_id,
        "phone": _sealed_json(sealed["phone"]),
        "account": None,
        "bank": "",
        "account_status": "unverified",
        "account_since": None,
        "deceased": "n",
    }


def _details(event: BeneficiaryDetailsCorrected, cipher: PiiCipher) -> dict[str, Any]:
    sealed = _sealed_parts(event, cipher)
    return {
        "name": event.name,
        "village_code": event.village_code,
        "township_code": event.village_code[:9],
        "household_id": event.household_id,
        "phone": _sealed_json(sealed["phone"]),
    }


def _account(
    event: CardAccountDeclared, envelope: Envelope[Event], cipher: PiiCipher
) -> dict[str, Any]:
    sealed = _sealed_parts(event, cipher)
    return {
        "account": _sealed_json(sealed["account_no"]),
        "bank": event.bank_code,
        "account_status": "unverified",
        "account_since": local_date(envelope.occurred_at),
    }


def _sealed_parts(event: Event, cipher: PiiCipher) -> dict[str, Any]:
    """The event's JSON as stored, personal fields sealed (copied, never re-encrypted, when
    they came from the log sealed). Done once per event."""
    dumped: dict[str, Any] = event.model_dump(mode="json", context={PII_CONTEXT_KEY: cipher})
    return dumped


def _sealed_json(sealed: object) -> str | None:
    return None if sealed is None else orjson.dumps(sealed).decode()
