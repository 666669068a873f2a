"""Recompute every hash chain in the store and name the first place it breaks.

Used by ``onecard audit verify``. A flipped byte anywhere in a sealed field, a removed or
re-ordered event inside a stream, or (on adapters with gap-free positions) a removed event
anywhere in the log shows up as the first broken position.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.eventstore.hashchain import GENESIS, algorithm_of, chain_hash
from infra.eventstore.port import EventStore, RecordedEvent


@dataclass(frozen=True, slots=True)
class Break:
    position: int
    stream_id: str
    stream_version: int
    reason: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    events: int
    streams: int
    last_position: int
    first_break: Break | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


async def verify_store(store: EventStore, *, page_size: int = 5_000) -> VerifyReport:
    """Walk the global log once; keeps one (version, hash) per stream in memory."""
    heads: dict[str, tuple[int, str]] = {}
    position = count = 0
    while page := await store.read_all(after=position, limit=page_size):
        for event in page:
            problem = _check(event, position, heads, gap_free=store.gap_free_positions)
            if problem is not None:
                return VerifyReport(count, len(heads), position, _break(event, problem))
            heads[event.stream_id] = (event.stream_version, event.hash)
            position = event.position
            count += 1
    return VerifyReport(count, len(heads), position, None)


def _check(
    event: RecordedEvent, previous: int, heads: dict[str, tuple[int, str]], *, gap_free: bool
) -> str | None:
    if event.position <= previous or (gap_free and event.position != previous + 1):
        return f"position follows {previous}: an event is missing or out of order"
    version, prev_hash = heads.get(event.stream_id, (0, GENESIS))
    if event.stream_version != version + 1:
        return f"stream version follows {version}: an event of the stream is missing"
    try:
        algorithm = algorithm_of(event.hash)
    except ValueError:
        return "the stored hash is unreadable"
    expected = chain_hash(
        algorithm,
        prev_hash=prev_hash,
        stream_id=event.stream_id,
        stream_version=event.stream_version,
        event_id=event.event_id,
        event_type=event.event_type,
        schema_version=event.schema_version,
        recorded_at=event.recorded_at,
        data=event.data,
        metadata=event.metadata,
    )
    if expected != event.hash:
        return "the content does not match its hash"
    return None


def _break(event: RecordedEvent, reason: str) -> Break:
    return Break(event.position, event.stream_id, event.stream_version, reason)
