"""The register read model: fed by the registry's own events, read by roster validation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import BeneficiaryRegistered, CardAccountDeclared
from contracts.pii import PII_CONTEXT_KEY, PiiCipher
from contracts.zones import local_date
from services.registry.adapters.tables import register_people


def register_handler(cipher: PiiCipher) -> Any:
    """The consumer's handler: add registered people, attach declared card accounts."""

    async def on_register_events(
        conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]
    ) -> None:
        people = []
        for envelope in envelopes:
            if isinstance(envelope.event, BeneficiaryRegistered):
                people.append(_person(envelope.event, cipher))
        if people:
            await conn.execute(insert(register_people), people)
        for envelope in envelopes:
            event = envelope.event
            if isinstance(event, CardAccountDeclared):
                await conn.execute(
                    update(register_people)
                    .where(register_people.c.beneficiary_id == event.beneficiary_id)
                    .values(
                        account=_sealed(event, "account_no", cipher),
                        bank=event.bank_code,
                        account_status="open",
                        account_since=local_date(envelope.occurred_at),
                    )
                )

    return on_register_events


def _person(event: BeneficiaryRegistered, cipher: PiiCipher) -> dict[str, Any]:
    return {
        "beneficiary_id": event.beneficiary_id,
        "citizen_bidx": _sealed_parts(event, cipher)["citizen_id"]["bidx"],
        "name": event.name,
        "village_code": event.village_code,
        "township_code": event.village_code[:9],
        "household_id": event.household_id,
        "phone": _sealed(event, "phone", cipher) if event.phone is not None else None,
        "account": None,
        "bank": "",
        "account_status": "unverified",
        "account_since": None,
        "deceased": "n",
    }


def _sealed_parts(event: Event, cipher: PiiCipher) -> dict[str, Any]:
    """The event's JSON as stored: personal fields sealed (copied, never re-encrypted, when
    they came from the log sealed)."""
    dumped: dict[str, Any] = event.model_dump(mode="json", context={PII_CONTEXT_KEY: cipher})
    return dumped


def _sealed(event: Event, field: str, cipher: PiiCipher) -> str:
    return orjson.dumps(_sealed_parts(event, cipher)[field]).decode()
