"""The phone directory projection, fed by the registry's beneficiary events: each phone kept
sealed as the log holds it, keyed by beneficiary, with its blind index for the rate limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import orjson
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.pii import PII_CONTEXT_KEY, PhoneNo, PiiCipher
from infra.service import Handler
from services.notify.adapters.tables import INSERTS, phone_directory
from services.notify.domain.contacts import CONTACT_EVENTS, Contact, evolve_contact

_PHONE: Final = TypeAdapter(PhoneNo)


def phone_directory_handler(cipher: PiiCipher) -> Handler:
    async def on_beneficiary_events(
        conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]
    ) -> None:
        await project_contacts(conn, [envelope.event for envelope in envelopes], cipher)

    return on_beneficiary_events


async def project_contacts(
    conn: AsyncConnection, events: Sequence[Event], cipher: PiiCipher
) -> None:
    """Fold the events into the contacts they name (in log order) and store the results."""
    relevant = [event for event in events if isinstance(event, CONTACT_EVENTS)]
    if not relevant:
        return
    contacts = await contacts_of(conn, {event.beneficiary_id for event in relevant}, cipher)
    for event in relevant:
        folded = evolve_contact(contacts.get(event.beneficiary_id), event)
        if folded is not None:
            contacts[event.beneficiary_id] = folded
    rows = [contact_row(contact, cipher) for contact in contacts.values()]
    statement = INSERTS[conn.dialect.name](phone_directory)
    updated = {name: statement.excluded[name] for name in ("reach", "phone", "phone_index")}
    await conn.execute(
        statement.on_conflict_do_update(index_elements=["beneficiary_id"], set_=updated), rows
    )


async def contacts_of(
    conn: AsyncConnection, beneficiary_ids: Iterable[str], cipher: PiiCipher
) -> dict[str, Contact]:
    """The stored contacts of these beneficiaries (phones still sealed)."""
    rows = await conn.execute(
        select(phone_directory).where(phone_directory.c.beneficiary_id.in_(list(beneficiary_ids)))
    )
    return {row.beneficiary_id: contact_of(row._mapping, cipher) for row in rows}


def contact_of(row: Any, cipher: PiiCipher) -> Contact:
    return Contact(row["beneficiary_id"], sealed_phone(row["phone"], cipher), row["reach"])


def sealed_phone(stored: str | None, cipher: PiiCipher) -> PhoneNo | None:
    """The stored phone, checked but not opened (``reveal()`` opens it)."""
    return None if stored is None else PhoneNo.from_sealed(orjson.loads(stored), cipher)


def contact_row(contact: Contact, cipher: PiiCipher) -> dict[str, Any]:
    sealed = (
        None
        if contact.phone is None
        else _PHONE.dump_python(contact.phone, mode="json", context={PII_CONTEXT_KEY: cipher})
    )
    return {
        "beneficiary_id": contact.beneficiary_id,
        "reach": contact.reach,
        "phone": None if sealed is None else orjson.dumps(sealed).decode(),
        "phone_index": None if sealed is None else sealed["bidx"],
    }
