"""Register a beneficiary: load the person's stream, decide, reserve the citizen ID, append."""

from __future__ import annotations

from typing import Protocol

from contracts.pii import PiiKind
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import AppendResult, EventStore
from services.registry.application.claims import claim
from services.registry.domain import refusals
from services.registry.domain.beneficiary import (
    Beneficiary,
    RegisterBeneficiary,
    decide_registration,
    evolve,
)
from services.registry.domain.events import CitizenIdReserved


class BlindIndex(Protocol):
    def blind_index(self, purpose: PiiKind, value: str) -> str: ...


async def register_beneficiary(
    *,
    store: EventStore,
    codec: EventCodec,
    index: BlindIndex,
    command: RegisterBeneficiary,
    context: CommandContext,
) -> AppendResult | None:
    """Append ``BeneficiaryRegistered`` once; None when this registration was already done.

    Raises ``Refused`` (nothing stored) for an invalid ID or village, a beneficiary id in use,
    or a citizen ID registered to someone else.
    """
    stream_id = f"beneficiary-{command.beneficiary_id}"
    records = await store.read_stream(stream_id)
    state: Beneficiary | None = None
    for record in records:
        state = evolve(state, codec.decode(record).event)
    events = decide_registration(command, state)
    if not events:
        return None
    await _reserve_citizen_id(store, codec, index, command, context)
    envelopes = [context.envelope(e, stream_id=stream_id, index=i) for i, e in enumerate(events)]
    stored = [codec.encode(envelope) for envelope in envelopes]
    return await store.append(stream_id, stored, expected_version=len(records))


async def _reserve_citizen_id(
    store: EventStore,
    codec: EventCodec,
    index: BlindIndex,
    command: RegisterBeneficiary,
    context: CommandContext,
) -> None:
    """One person, one beneficiary: the ID's blind index names a stream that only its first
    registration may create. A reservation for this same beneficiary is a retry."""
    await claim(
        store,
        codec,
        context,
        stream_id=f"citizen-id-{index.blind_index('citizen_id', command.citizen_id.reveal())}",
        claim=CitizenIdReserved(beneficiary_id=command.beneficiary_id),
        same=lambda held: held.beneficiary_id == command.beneficiary_id,
        taken=lambda _: refusals.citizen_id_taken(),
    )
