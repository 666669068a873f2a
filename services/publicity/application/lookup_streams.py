"""The lookup's streams: a target's decisions (read from its latest events only: a day of
them is bounded by the rules), and the append-only log of refusals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from contracts.base import Event
from contracts.envelope import Actor
from infra.clock import CHINA
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import ANY_VERSION, EventStore
from services.publicity.domain.lookup import EVENTS_PER_DAY_AT_MOST, Target, evolve

PUBLIC = Actor(user_id="public", role="public", jurisdiction_code=None)
"""Who looks up: anyone holding a code; who it was is the outcome, not the actor."""


def target_stream(target_key: str) -> str:
    return f"lookup-{target_key}"


def lookup_log_stream(at: datetime) -> str:
    """The day's log of refused lookups (China's date)."""
    return f"lookup-log-{at.astimezone(CHINA):%Y%m%d}"


def target_key_of(id_index: str) -> str:
    """The target's key: the first 128 bits of the blind index of its ID."""
    return id_index[:32]


async def load_target(store: EventStore, codec: EventCodec, target_key: str) -> tuple[Target, int]:
    """The target as its latest events make it (enough for any 24 hours), and its version."""
    records = await store.read_stream(
        target_stream(target_key), backwards=True, limit=EVENTS_PER_DAY_AT_MOST
    )
    state = Target()
    for record in reversed(records):
        envelope = codec.decode(record)
        state = evolve(state, envelope.event, envelope.occurred_at)
    return state, (records[0].stream_version if records else 0)


async def log_lookup(
    store: EventStore, codec: EventCodec, context: CommandContext, events: Sequence[Event]
) -> None:
    """Append to the day's lookup log, at any version (two refusals never refuse each other)."""
    stream_id = lookup_log_stream(context.at)
    stored = [
        codec.encode(context.envelope(event, stream_id=stream_id, index=i))
        for i, event in enumerate(events)
    ]
    await store.append(stream_id, stored, expected_version=ANY_VERSION)
