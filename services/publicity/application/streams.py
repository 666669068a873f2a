"""The two halves of every command on one stream: load the state (and the version the append
will expect), and append what the decider decided."""

from __future__ import annotations

from typing import TypeVar

from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.stream_commands import load_state
from services.publicity.domain.notice import Notice, evolve

S = TypeVar("S")


def notice_stream(roster_id: str) -> str:
    return f"notice-{roster_id}"


async def load_notice(
    store: EventStore, codec: EventCodec, roster_id: str
) -> tuple[Notice | None, int]:
    """The roster's notice and its stream's version."""
    return await load_state(store, codec, notice_stream(roster_id), evolve)
