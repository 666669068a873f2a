"""The decision at the heart of every append, shared by all adapters.

Given the current heads of the streams involved and which of the new event ids are already
stored, :func:`plan_batch` decides per request: accept (assign versions, positions and chain
hashes), replay an earlier identical append (idempotent no-op), or refuse. It is pure, so each
adapter only has to load the inputs and write the accepted rows inside one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise, tee
from operator import attrgetter

from infra.eventstore.hashchain import GENESIS, chain_stream, utc_timestamp
from infra.eventstore.port import (
    ANY_VERSION,
    AppendResult,
    EventIdConflict,
    EventStoreError,
    NewEvent,
    RecordedEvent,
    SpooledEvents,
    WrongExpectedVersion,
)

_sealed_fields = attrgetter("event_id", "event_type", "schema_version", "data", "metadata")
_event_id = attrgetter("event_id")


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
    check_ids(
        request.stream_id, [event.event_id for event in request.events], request.expected_version
    )


def check_ids(stream_id: str, ids: Sequence[uuid.UUID], expected_version: int) -> None:
    if not ids:
        raise ValueError("an append needs at least one event")
    if expected_version < ANY_VERSION:
        raise ValueError(f"invalid expected version {expected_version}")
    if len({event_id.int for event_id in ids}) != len(ids):  # ints hash in C, UUIDs in Python
        raise EventIdConflict(stream_id, ids)


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
    head = heads.get(stream_id, StreamHead(0, GENESIS))
    ids = map(_event_id, request.events)  # read only when some ids are known
    refused = _refused(stream_id, ids, request.expected_version, head, known)
    if refused is not None:
        return refused
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


def _refused(
    stream_id: str,
    event_ids: Iterable[uuid.UUID],
    expected: int,
    head: StreamHead,
    known: Mapping[uuid.UUID, StoredId],
) -> Outcome | None:
    """The answer to an append that writes nothing (a retry, a conflict, a wrong expected
    version), or None when it is to be written at ``head``."""
    if known:
        ids = list(event_ids)
        found = [known.get(event_id) for event_id in ids]
        if any(place is not None for place in found):
            return _replayed(stream_id, ids, found)
    if expected != ANY_VERSION and expected != head.version:
        return WrongExpectedVersion(stream_id, expected, head.version)
    return None


def _replayed(stream_id: str, ids: list[uuid.UUID], found: list[StoredId | None]) -> Outcome:
    """An append whose ids are all stored, consecutively in this stream, is a retry: answer it
    as it was answered the first time. Anything else reusing stored ids is refused."""
    places = [place for place in found if place is not None]
    consecutive = all(
        later.stream_version == earlier.stream_version + 1 for earlier, later in pairwise(places)
    )
    same_stream = all(place.stream_id == stream_id for place in places)
    if len(places) == len(found) and consecutive and same_stream:
        return AppendResult(places[-1].stream_version, places[0].position, places[-1].position)
    return EventIdConflict(stream_id, ids)


@dataclass(slots=True)
class SpooledPlan:
    """A spooled append, accepted: ``rows`` seals its events as the spool is read, and
    ``head`` is the stream's new head once they have all been read."""

    stream_id: str
    ids: Sequence[uuid.UUID]
    head: StreamHead
    first_position: int
    recorded_at: datetime
    algorithm: str

    @property
    def last_position(self) -> int:
        return self.first_position + len(self.ids) - 1

    @property
    def result(self) -> AppendResult:
        return AppendResult(self.head.version, self.first_position, self.last_position)

    def rows(self, events: Iterable[NewEvent]) -> Iterator[RecordedEvent]:
        """The events as stored, in order; refuses a spool whose ids are not ``ids``."""
        checked, sealed = tee(_same_ids(events, self.ids, self.stream_id))
        version, moment, stream_id = self.head.version, self.recorded_at, self.stream_id
        hashes = chain_stream(
            self.algorithm,
            prev_hash=self.head.last_hash,
            stream_id=stream_id,
            first_version=version + 1,
            events=map(_sealed_fields, sealed),
            recorded_at=utc_timestamp(moment),
        )
        position, last_hash = self.first_position, self.head.last_hash
        for event, last_hash in zip(checked, hashes, strict=True):
            version += 1
            yield RecordedEvent(
                position,
                stream_id,
                version,
                event.event_id,
                event.event_type,
                event.schema_version,
                event.data,
                event.metadata,
                moment,
                last_hash,
            )
            position += 1
        self.head = StreamHead(version, last_hash)


def plan_spooled(
    stream_id: str,
    ids: Sequence[uuid.UUID],
    expected_version: int,
    *,
    head: StreamHead | None,
    stored: Mapping[uuid.UUID, StoredId],
    head_position: int,
    recorded_at: datetime,
    algorithm: str,
) -> SpooledPlan | Outcome:
    """A spooled append decided by its ids alone, as ``plan_batch`` decides an append: the
    plan to write, or the answer to one that writes nothing."""
    head = head or StreamHead(0, GENESIS)
    refused = _refused(stream_id, ids, expected_version, head, stored)
    if refused is not None:
        return refused
    return SpooledPlan(stream_id, ids, head, head_position + 1, recorded_at, algorithm)


def read_spool(events: SpooledEvents) -> list[NewEvent]:
    """Every spooled event at once, checked against the spool's ids: for adapters that hold
    an append in memory whatever its size (the memory store, the KurrentDB client)."""
    ids = events.event_ids
    return list(_same_ids(events, ids, "spooled"))


def _same_ids(
    events: Iterable[NewEvent], ids: Sequence[uuid.UUID], stream_id: str
) -> Iterator[NewEvent]:
    count = 0
    for count, event in enumerate(events, 1):
        if count > len(ids) or event.event_id != ids[count - 1]:
            raise EventStoreError(f"stream {stream_id!r}: the spool changed while appended")
        yield event
    if count != len(ids):
        raise EventStoreError(f"stream {stream_id!r}: the spool ended early")
