"""The decision at the heart of every append, shared by all adapters.

Given the current heads of the streams involved and which of the new event ids are already
stored, :func:`plan_batch` decides per request: accept (assign versions, positions and chain
hashes), replay an earlier identical append (idempotent no-op), or refuse. It is pure, so each
adapter only has to load the inputs and write the accepted rows inside one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from operator import attrgetter

from infra.eventstore.hashchain import GENESIS, chain_stream, utc_timestamp
from infra.eventstore.port import (
    ANY_VERSION,
    AppendResult,
    EventIdConflict,
    EventStoreError,
    NewEvent,
    RecordedEvent,
    WrongExpectedVersion,
)

_sealed_fields = attrgetter("event_id", "event_type", "schema_version", "data", "metadata")


@dataclass(frozen=True, slots=True)
class AppendRequest:
    stream_id: str
    events: Sequence[NewEvent]
    expected_version: int


@dataclass(frozen=True, slots=True)
class StreamHead:
    version: int
    last_hash: str


@dataclass(frozen=True, slots=True)
class StoredId:
    """Where an already-stored event id lives."""

    stream_id: str
    stream_version: int
    position: int


Outcome = AppendResult | EventStoreError


@dataclass(slots=True)
class BatchPlan:
    rows: list[RecordedEvent] = field(default_factory=list)
    heads: dict[str, StreamHead] = field(default_factory=dict)
    """New heads of the streams the accepted rows touch."""
    head_position: int = 0
    outcomes: list[Outcome] = field(default_factory=list)


def check_request(request: AppendRequest) -> None:
    """Refuse appends that are caller bugs before they reach a queue."""
    if not request.events:
        raise ValueError("an append needs at least one event")
    if request.expected_version < ANY_VERSION:
        raise ValueError(f"invalid expected version {request.expected_version}")
    ids = [event.event_id for event in request.events]
    if len({event_id.int for event_id in ids}) != len(ids):  # ints hash in C, UUIDs in Python
        raise EventIdConflict(request.stream_id, ids)


def event_ids(requests: Sequence[AppendRequest]) -> list[uuid.UUID]:
    return [event.event_id for request in requests for event in request.events]


def stream_ids(requests: Sequence[AppendRequest]) -> list[str]:
    return list(dict.fromkeys(request.stream_id for request in requests))


def plan_batch(
    requests: Sequence[AppendRequest],
    *,
    heads: Mapping[str, StreamHead],
    stored: Mapping[uuid.UUID, StoredId],
    head_position: int,
    recorded_at: datetime,
    algorithm: str,
) -> BatchPlan:
    """Decide every request in order, as if each were committed alone after the previous."""
    plan = BatchPlan(head_position=head_position)
    current = dict(heads)
    known = dict(stored)
    sealed_at = utc_timestamp(recorded_at)
    last = len(requests) - 1
    for index, request in enumerate(requests):
        outcome = _decide(
            request,
            current,
            known,
            plan,
            (recorded_at, sealed_at),
            algorithm,
            remember=index < last,  # the last request's ids are never looked up again
        )
        plan.outcomes.append(outcome)
    return plan


def _decide(
    request: AppendRequest,
    heads: dict[str, StreamHead],
    known: dict[uuid.UUID, StoredId],
    plan: BatchPlan,
    recorded_at: tuple[datetime, str],
    algorithm: str,
    *,
    remember: bool,
) -> Outcome:
    stream_id = request.stream_id
    if known:
        found = [known.get(event.event_id) for event in request.events]
        if any(place is not None for place in found):
            return _replayed(request, found)
    head = heads.get(stream_id, StreamHead(0, GENESIS))
    expected = request.expected_version
    if expected != ANY_VERSION and expected != head.version:
        return WrongExpectedVersion(stream_id, expected, head.version)
    moment, sealed_at = recorded_at
    events = request.events
    hashes = chain_stream(
        algorithm,
        prev_hash=head.last_hash,
        stream_id=stream_id,
        first_version=head.version + 1,
        events=map(_sealed_fields, events),
        recorded_at=sealed_at,
    )
    version, last_hash = head.version, head.last_hash
    position = plan.head_position
    first_position = position + 1
    rows = plan.rows
    for event, last_hash in zip(events, hashes, strict=True):  # hot: locals, no helpers
        version += 1
        position += 1
        event_id = event.event_id
        rows.append(
            RecordedEvent(
                position,
                stream_id,
                version,
                event_id,
                event.event_type,
                event.schema_version,
                event.data,
                event.metadata,
                moment,
                last_hash,
            )
        )
        if remember:
            known[event_id] = StoredId(stream_id, version, position)
    plan.head_position = position
    heads[stream_id] = plan.heads[stream_id] = StreamHead(version, last_hash)
    return AppendResult(version, first_position, position)


def _replayed(request: AppendRequest, found: list[StoredId | None]) -> Outcome:
    """An append whose ids are all stored, consecutively in this stream, is a retry: answer it
    as it was answered the first time. Anything else reusing stored ids is refused."""
    places = [place for place in found if place is not None]
    consecutive = all(
        later.stream_version == earlier.stream_version + 1 for earlier, later in pairwise(places)
    )
    same_stream = all(place.stream_id == request.stream_id for place in places)
    if len(places) == len(found) and consecutive and same_stream:
        return AppendResult(places[-1].stream_version, places[0].position, places[-1].position)
    return EventIdConflict(request.stream_id, [e.event_id for e in request.events])
