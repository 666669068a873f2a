"""The beneficiary's commands after registration, one function each: load the
``beneficiary-<id>`` stream, decide, append with the expected version.

Each returns None when the command was already done (nothing appended) and raises
``Refused`` (nothing appended) when the rules do not allow it. Event ids derive from the
context's idempotency key, so an append retried with the same context is a no-op.
"""

from __future__ import annotations

from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import AppendResult, EventStore
from infra.stream_commands import append_decided, load_state
from services.registry.domain.beneficiary import Beneficiary, evolve
from services.registry.domain.beneficiary_commands import (
    ApplyCardAccountChange,
    BeneficiaryCommand,
    CloseCardAccount,
    CorrectDetails,
    DeclareCardAccount,
    FreezeCardAccount,
    RecordDeath,
    RecordMoveOut,
    ReverifyBeneficiary,
    ReviewCardAccountChange,
    UnfreezeCardAccount,
    VerifyCardAccount,
)
from services.registry.domain.beneficiary_lifecycle import decide


async def load_beneficiary(
    store: EventStore, codec: EventCodec, beneficiary_id: str
) -> tuple[Beneficiary | None, int]:
    """The beneficiary's state and its stream's version."""
    return await load_state(store, codec, f"beneficiary-{beneficiary_id}", evolve)


async def _handle(
    store: EventStore, codec: EventCodec, context: CommandContext, command: BeneficiaryCommand
) -> AppendResult | None:
    state, version = await load_beneficiary(store, codec, command.beneficiary_id)
    stream_id = f"beneficiary-{command.beneficiary_id}"
    return await append_decided(store, codec, context, stream_id, decide(command, state), version)


async def correct_details(
    *, store: EventStore, codec: EventCodec, command: CorrectDetails, context: CommandContext
) -> AppendResult | None:
    """Appends ``BeneficiaryDetailsCorrected`` with the reason; None when nothing differs."""
    return await _handle(store, codec, context, command)


async def declare_card_account(
    *, store: EventStore, codec: EventCodec, command: DeclareCardAccount, context: CommandContext
) -> AppendResult | None:
    """The first account only (``CardAccountDeclared``, unverified); later ones go through
    ``apply_card_account_change``."""
    return await _handle(store, codec, context, command)


async def apply_card_account_change(
    *,
    store: EventStore,
    codec: EventCodec,
    command: ApplyCardAccountChange,
    context: CommandContext,
) -> AppendResult | None:
    """Record a re-application; the account changes only when another user approves it."""
    return await _handle(store, codec, context, command)


async def review_card_account_change(
    *,
    store: EventStore,
    codec: EventCodec,
    command: ReviewCardAccountChange,
    context: CommandContext,
) -> AppendResult | None:
    """Approve (the new account is declared in the same append) or reject with a reason."""
    return await _handle(store, codec, context, command)


async def verify_card_account(
    *, store: EventStore, codec: EventCodec, command: VerifyCardAccount, context: CommandContext
) -> AppendResult | None:
    return await _handle(store, codec, context, command)


async def freeze_card_account(
    *, store: EventStore, codec: EventCodec, command: FreezeCardAccount, context: CommandContext
) -> AppendResult | None:
    return await _handle(store, codec, context, command)


async def unfreeze_card_account(
    *, store: EventStore, codec: EventCodec, command: UnfreezeCardAccount, context: CommandContext
) -> AppendResult | None:
    return await _handle(store, codec, context, command)


async def close_card_account(
    *, store: EventStore, codec: EventCodec, command: CloseCardAccount, context: CommandContext
) -> AppendResult | None:
    return await _handle(store, codec, context, command)


async def reverify_beneficiary(
    *, store: EventStore, codec: EventCodec, command: ReverifyBeneficiary, context: CommandContext
) -> AppendResult | None:
    """The annual check, once per year."""
    return await _handle(store, codec, context, command)


async def record_death(
    *, store: EventStore, codec: EventCodec, command: RecordDeath, context: CommandContext
) -> AppendResult | None:
    """The death and, in the same append, the closure of the card account."""
    return await _handle(store, codec, context, command)


async def record_move_out(
    *, store: EventStore, codec: EventCodec, command: RecordMoveOut, context: CommandContext
) -> AppendResult | None:
    """The move out and, in the same append, the closure of the card account."""
    return await _handle(store, codec, context, command)
