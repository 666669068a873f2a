"""The people the lookup can find, fed by the registry's beneficiary events: each found by
the blind index of their ID, checked by a digest of their name, answered by SMS to their
phone (kept sealed, as the log holds it). After a death or a move out no code is sent any
more: the phone is forgotten, as the notify service does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import orjson
from pydantic import TypeAdapter
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import (
    BeneficiaryDeceased,
    BeneficiaryDetailsCorrected,
    BeneficiaryMovedOut,
    BeneficiaryRegistered,
)
from contracts.masking import mask_citizen_id, mask_name
from contracts.pii import PII_CONTEXT_KEY, CitizenId, PhoneNo, PiiCipher
from infra.service import Handler
from services.publicity.adapters.lookup_tables import lookup_people
from services.publicity.adapters.upsert import upsert
from services.publicity.application.lookup_ports import LookupSecrets

_ID: Final = TypeAdapter(CitizenId)
_PHONE: Final = TypeAdapter(PhoneNo)


def lookup_people_handler(*, cipher: PiiCipher, secrets: LookupSecrets) -> Handler:
    """The consumer of the beneficiary topic (one transaction per batch, inbox kept by the
    caller); events of one beneficiary come in log order."""

    async def handle(conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]) -> None:
        for envelope in envelopes:
            event = envelope.event
            if isinstance(event, BeneficiaryRegistered):
                await upsert(conn, lookup_people, _registered(event, cipher, secrets), keys=_KEY)
            elif isinstance(event, BeneficiaryDetailsCorrected):
                await _corrected(conn, event, cipher, secrets)
            elif isinstance(event, BeneficiaryDeceased | BeneficiaryMovedOut):
                reach = "deceased" if isinstance(event, BeneficiaryDeceased) else "moved_out"
                await _set(conn, event.beneficiary_id, reach=reach, phone=None, phone_index=None)

    return handle


_KEY: Final = ("beneficiary_id",)


def _registered(
    event: BeneficiaryRegistered, cipher: PiiCipher, secrets: LookupSecrets
) -> dict[str, Any]:
    sealed_id = _ID.dump_python(event.citizen_id, mode="json", context={PII_CONTEXT_KEY: cipher})
    return {
        "beneficiary_id": event.beneficiary_id,
        "id_index": sealed_id["bidx"],
        "masked_citizen_id": mask_citizen_id(event.citizen_id.reveal()),
        "reach": "active",
        **_details(event, secrets),
        **_phone(event.phone, cipher),
    }


def _details(
    event: BeneficiaryRegistered | BeneficiaryDetailsCorrected, secrets: LookupSecrets
) -> dict[str, Any]:
    return {
        "name_digest": secrets.name_digest(event.beneficiary_id, event.name),
        "masked_name": mask_name(event.name),
        "household_id": event.household_id,
        "village_code": event.village_code,
    }


def _phone(phone: PhoneNo | None, cipher: PiiCipher) -> dict[str, Any]:
    if phone is None:
        return {"phone": None, "phone_index": None}
    sealed = _PHONE.dump_python(phone, mode="json", context={PII_CONTEXT_KEY: cipher})
    return {"phone": orjson.dumps(sealed).decode(), "phone_index": sealed["bidx"]}


async def _corrected(
    conn: AsyncConnection,
    event: BeneficiaryDetailsCorrected,
    cipher: PiiCipher,
    secrets: LookupSecrets,
) -> None:
    await _set(conn, event.beneficiary_id, **_details(event, secrets))
    await conn.execute(
        update(lookup_people)
        .where(
            lookup_people.c.beneficiary_id == event.beneficiary_id,
            lookup_people.c.reach == "active",
        )
        .values(**_phone(event.phone, cipher))
    )


async def _set(conn: AsyncConnection, beneficiary_id: str, **values: Any) -> None:
    await conn.execute(
        update(lookup_people)
        .where(lookup_people.c.beneficiary_id == beneficiary_id)
        .values(**values)
    )


def sealed_phone(stored: str | None, cipher: PiiCipher) -> PhoneNo | None:
    """The stored phone, checked but not opened (``reveal()`` opens it, to send)."""
    return None if stored is None else PhoneNo.from_sealed(orjson.loads(stored), cipher)
