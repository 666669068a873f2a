"""The roster's small commands: draft, remove a row, withdraw (submission is
``roster_submission``, a return ``roster_returns``). Each is load - decide - append; a
retried command appends nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from contracts.base import Event
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import ANY_VERSION, AppendResult, EventStore
from infra.stream_commands import append_decided, load_state
from services.registry.application.cross_checks import round_stream
from services.registry.domain.events import RosterJoinedRound
from services.registry.domain.roster import (
    DraftRoster,
    RemoveRow,
    Roster,
    WithdrawRoster,
    decide_draft,
    decide_removal,
    decide_withdrawal,
    evolve,
)

C = TypeVar("C", DraftRoster, RemoveRow, WithdrawRoster)


async def load_roster(
    store: EventStore, codec: EventCodec, roster_id: str
) -> tuple[Roster | None, int]:
    """The roster's state and its stream's version."""
    return await load_state(store, codec, f"roster-{roster_id}", evolve)


async def _handle(
    store: EventStore,
    codec: EventCodec,
    context: CommandContext,
    command: C,
    decide: Callable[[C, Roster | None], Sequence[Event]],
) -> AppendResult | None:
    state, version = await load_roster(store, codec, command.roster_id)
    stream_id = f"roster-{command.roster_id}"
    return await append_decided(store, codec, context, stream_id, decide(command, state), version)


async def draft_roster(
    *, store: EventStore, codec: EventCodec, command: DraftRoster, context: CommandContext
) -> AppendResult | None:
    """Draft the roster, after entering it in its round's stream (where validation finds the
    round's other rosters; an entry whose draft then failed names no roster and is skipped)."""
    state, _ = await load_roster(store, codec, command.roster_id)
    if state is None:
        stream_id = round_stream(command.programme_code, command.round_id)
        joined = RosterJoinedRound(roster_id=command.roster_id, township_code=command.township_code)
        stored = codec.encode(context.envelope(joined, stream_id=stream_id))
        await store.append(stream_id, [stored], expected_version=ANY_VERSION)
    return await _handle(store, codec, context, command, decide_draft)


async def remove_row(
    *, store: EventStore, codec: EventCodec, command: RemoveRow, context: CommandContext
) -> AppendResult | None:
    return await _handle(store, codec, context, command, decide_removal)


async def withdraw_roster(
    *, store: EventStore, codec: EventCodec, command: WithdrawRoster, context: CommandContext
) -> AppendResult | None:
    return await _handle(store, codec, context, command, decide_withdrawal)
