"""Uniqueness across streams: a value (a citizen ID, a file's content) names a stream that
only its first claimant may create. The store's expected version ``NO_STREAM`` is the lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from contracts.base import Event
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import NO_STREAM, EventStore, WrongExpectedVersion

C = TypeVar("C", bound=Event)


async def claim(
    store: EventStore,
    codec: EventCodec,
    context: CommandContext,
    *,
    stream_id: str,
    claim: C,
    same: Callable[[C], bool],
    taken: Callable[[C], Refused],
) -> None:
    """Store ``claim`` as the first event of ``stream_id``, unless it holds one already: a
    claim that is ``same`` as ours is a retry (done), any other raises ``taken(holder)``."""
    for _ in range(2):
        existing = await store.read_stream(stream_id, limit=1)
        if existing:
            holder = codec.decode(existing[0]).event
            if not isinstance(holder, type(claim)):
                raise TypeError(f"unexpected event in {stream_id}")
            if not same(holder):
                raise taken(holder)
            return
        try:
            stored = codec.encode(context.envelope(claim, stream_id=stream_id))
            await store.append(stream_id, [stored], expected_version=NO_STREAM)
        except WrongExpectedVersion:
            continue  # someone claimed it meanwhile: look again who
        return
