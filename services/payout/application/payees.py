"""The payees the payout knows: the registry's beneficiary events folded into the ``payees``
table inside the consumer's transaction, and read back when a row is re-issued.

Events of one beneficiary come in their stream's order (the topic is keyed by beneficiary); a
redelivered or older event never overwrites a newer state (the row's stream version guards
every upsert). Accounts stay sealed, as the registry sealed them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.pii import PII_CONTEXT_KEY, CardAccountNo, PiiCipher
from infra.projections.database import ProjectionDatabase
from services.payout.adapters.tables import payees, upsert_newer
from services.payout.domain.payee import PAYEE_EVENTS, Payee, evolve_payee

_ACCOUNT: TypeAdapter[CardAccountNo] = TypeAdapter(CardAccountNo)


async def record_payees(
    conn: AsyncConnection, cipher: PiiCipher, envelopes: Sequence[Envelope[Event]]
) -> None:
    """Fold the registry's events about beneficiaries into their payees."""
    relevant = [e for e in envelopes if isinstance(e.event, PAYEE_EVENTS)]
    if not relevant:
        return
    ids = sorted({_beneficiary(envelope) for envelope in relevant})
    known = await _load(conn, cipher, ids)
    changed: dict[str, tuple[Payee, int]] = {}
    for envelope in relevant:
        beneficiary_id = _beneficiary(envelope)
        current = changed.get(beneficiary_id) or known.get(beneficiary_id)
        payee, version = current if current is not None else (None, 0)
        at = envelope.stream_version or 0
        if at <= version:
            continue  # already folded (a redelivery, or a replay)
        after = evolve_payee(payee, envelope.event)
        if after is not None:
            changed[beneficiary_id] = (after, at)
    await upsert_newer(
        conn, payees, [_record(payee, version, cipher) for payee, version in changed.values()]
    )


async def current_payee(
    projections: ProjectionDatabase, cipher: PiiCipher, beneficiary_id: str
) -> Payee | None:
    """The beneficiary as the registry holds them now (None: not known to the payout)."""
    async with projections.transaction() as conn:
        found = await _load(conn, cipher, [beneficiary_id])
    payee, _ = found.get(beneficiary_id, (None, 0))
    return payee


async def _load(
    conn: AsyncConnection, cipher: PiiCipher, ids: Sequence[str]
) -> dict[str, tuple[Payee, int]]:
    query = select(payees).where(payees.c.beneficiary_id.in_(ids))
    return {
        row["beneficiary_id"]: (_payee(row, cipher), row["stream_version"])
        for row in (await conn.execute(query)).mappings()
    }


def _beneficiary(envelope: Envelope[Event]) -> str:
    beneficiary_id: str = envelope.event.beneficiary_id  # type: ignore[attr-defined]
    return beneficiary_id


def _payee(row: Any, cipher: PiiCipher) -> Payee:
    account = row["account"]
    return Payee(
        beneficiary_id=row["beneficiary_id"],
        name=row["name"],
        bank_code=row["bank_code"],
        account_no=None
        if account is None
        else CardAccountNo.from_sealed(orjson.loads(account), cipher),
        holder_name=row["holder_name"],
        account_status=row["account_status"],
        active=row["active"],
    )


def _record(payee: Payee, version: int, cipher: PiiCipher) -> dict[str, Any]:
    account = None
    if payee.account_no is not None:
        sealed = _ACCOUNT.dump_python(
            payee.account_no, mode="json", context={PII_CONTEXT_KEY: cipher}
        )
        account = orjson.dumps(sealed).decode()
    return {
        "beneficiary_id": payee.beneficiary_id,
        "stream_version": version,
        "name": payee.name,
        "bank_code": payee.bank_code,
        "account": account,
        "holder_name": payee.holder_name,
        "account_status": payee.account_status,
        "active": payee.active,
    }
