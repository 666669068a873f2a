"""The two halves of every command on one stream, in every service: load the state (and the
version the append will expect), and append what the decider decided, all or none."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from contracts.base import Event
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import AppendResult, EventStore

S = TypeVar("S")


async def load_state(
    store: EventStore,
    codec: EventCodec,
    stream_id: str,
    evolve: Callable[[S | None, object], S | None],
) -> tuple[S | None, int]:
    """The stream's state folded by ``evolve``, and the stream's version."""
    records = await store.read_stream(stream_id)
    state: S | None = None
    for record in records:
        state = evolve(state, codec.decode(record).event)
    return state, len(records)


async def append_decided(
    store: EventStore,
    codec: EventCodec,
    context: CommandContext,
    stream_id: str,
    events: Sequence[Event],
    version: int,
) -> AppendResult | None:
    """Append the decided events at ``version``; None when there were none (already done).
    Their ids derive from the context's idempotency key, so a retry appends nothing."""
    if not events:
        return None
    stored = [
        codec.encode(context.envelope(event, stream_id=stream_id, index=i))
        for i, event in enumerate(events)
    ]
    return await store.append(stream_id, stored, expected_version=version)
