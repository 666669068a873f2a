"""A synthetic register as the registry's read model would hold it (benchmarks, tests)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from contracts.base import Event
from contracts.envelope import Actor, new_envelope, new_event_id
from contracts.events import (
    BeneficiaryRegistered,
    CardAccountClosed,
    CardAccountDeclared,
    CardAccountFrozen,
    CardAccountVerified,
)
from contracts.pii import CardAccountNo, CitizenId, PhoneNo
from infra.pii import FieldCipher
from infra.projections.database import ProjectionDatabase
from infra.synthetic.files import read_register
from infra.synthetic.people import Beneficiary as Person
from services.registry.application.register_projection import register_handler

AT: Final = datetime(2025, 7, 1, 2, 0, tzinfo=UTC)
CLERK: Final = Actor(user_id="synthetic", role="township_operator", jurisdiction_code="000000000")


async def seed_register_read_model(
    path: Path, projections: ProjectionDatabase, cipher: FieldCipher
) -> int:
    """Fill the registry's register read model from a synthetic ``register.csv``, through
    the handler its consumer runs, as if every person's events had come over the bus. The
    event store is not written: this sets up validation for benchmarks and tests, it does
    not register anyone. Returns the number of people."""
    handler = register_handler(cipher)
    batch: list[Any] = []
    count = 0
    for n, person in enumerate(read_register(path)):
        envelopes: list[Event] = [
            BeneficiaryRegistered(
                beneficiary_id=f"b-{n:07d}",
                citizen_id=CitizenId(person.citizen_id),
                name=person.name,
                village_code=person.village_code,
                household_id=person.household_id,
                phone=PhoneNo(person.phone) if person.phone else None,
            )
        ]
        if person.card_account:
            envelopes += _account_events(f"b-{n:07d}", person)
        for event in envelopes:
            batch.append(
                new_envelope(
                    event,
                    event_id=new_event_id(AT),
                    stream_id=f"beneficiary-b-{n:07d}",
                    occurred_at=datetime(2024, 1, 1, tzinfo=UTC),
                    actor=CLERK,
                    correlation_id=uuid.uuid4(),
                )
            )
        count += 1
        if len(batch) >= 10_000:
            async with projections.transaction() as conn:
                await handler(conn, batch)
            batch = []
    if batch:
        async with projections.transaction() as conn:
            await handler(conn, batch)
    return count


def _account_events(beneficiary_id: str, person: Person) -> list[Event]:
    """The declared account, verified (open), then frozen or closed as the synthetic
    register says."""
    events: list[Event] = [
        CardAccountDeclared(
            beneficiary_id=beneficiary_id,
            bank_code=person.bank_code,
            account_no=CardAccountNo(person.card_account),
            holder_name=person.name,
        ),
        CardAccountVerified(beneficiary_id=beneficiary_id, verified_at=AT),
    ]
    if person.account_status == "frozen":
        events.append(CardAccountFrozen(beneficiary_id=beneficiary_id, reason="银行冻结"))
    elif person.account_status == "closed":
        events.append(CardAccountClosed(beneficiary_id=beneficiary_id, reason="bank_closed"))
    return events
