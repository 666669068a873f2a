"""The register read model: fed by the registry's own events, read by roster validation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import bindparam, insert, update
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
        people, accounts = [], []
        for envelope in envelopes:
            event = envelope.event
            if isinstance(event, BeneficiaryRegistered):
                people.append(_person(event, cipher))
            elif isinstance(event, CardAccountDeclared):
                accounts.append(_account(event, envelope, cipher))
        if people:
            await conn.execute(insert(register_people), people)
        if accounts:  # in log order: a later declaration replaces an earlier one
            await conn.execute(
                update(register_people)
                .where(register_people.c.beneficiary_id == bindparam("who"))
                .values(
                    account=bindparam("account"),
                    bank=bindparam("bank"),
                    account_status="open",
                    account_since=bindparam("since"),
                ),
                accounts,
            )

    return on_register_events


def _person(event: BeneficiaryRegistered, cipher: PiiCipher) -> dict[str, Any]:
    sealed = _sealed_parts(event, cipher)
    return {
        "beneficiary_id": event.beneficiary_id,
        "citizen_bidx": sealed["citizen_id"]["bidx"],
        "name": event.name,
        "village_code": event.village_code,
        "township_code": event.village_code[:9],
        "household_id": event.household_id,
        "phone": orjson.dumps(sealed["phone"]).decode() if event.phone is not None else None,
        "account": None,
        "bank": "",
        "account_status": "unverified",
        "account_since": None,
        "deceased": "n",
    }


def _account(
    event: CardAccountDeclared, envelope: Envelope[Event], cipher: PiiCipher
) -> dict[str, Any]:
    sealed = _sealed_parts(event, cipher)
    return {
        "who": event.beneficiary_id,
        "account": orjson.dumps(sealed["account_no"]).decode(),
        "bank": event.bank_code,
        "since": local_date(envelope.occurred_at),
    }


def _sealed_parts(event: Event, cipher: PiiCipher) -> dict[str, Any]:
    """The event's JSON as stored, personal fields sealed (copied, never re-encrypted, when
    they came from the log sealed). Done once per event."""
    dumped: dict[str, Any] = event.model_dump(mode="json", context={PII_CONTEXT_KEY: cipher})
    return dumped
