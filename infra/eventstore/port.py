"""The event store port: the one interface every service and every adapter agrees on.

The store is the source of truth. Its guarantees, identical on every adapter and proven by
``tests/contract/eventstore_contract.py``:

* an append names the version it expects the stream to be at; a mismatch raises
  :class:`WrongExpectedVersion` and stores nothing;
* appending events whose ids are already stored, at the same places, is a no-op that returns
  the original result (a retried append after a lost answer never duplicates);
* every stored event carries a hash chained to its predecessor in the same stream;
* the global log is read in commit order: a reader that asks for "everything after the last
  position I saw" never skips an event that commits later.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, NamedTuple, Protocol

NO_STREAM: Final = 0
"""Expected version of a stream that must not exist yet."""
ANY_VERSION: Final = -1
"""Expected version that accepts any current version (append-only logs such as the query log)."""


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event about to be appended. ``data`` and ``metadata`` are opaque JSON bytes."""

    event_id: uuid.UUID
    event_type: str
    schema_version: int
    data: bytes
    metadata: bytes = b"{}"


class RecordedEvent(NamedTuple):
    """An event as stored: its place in its stream and in the global log, and its chain hash.

    A named tuple rather than a dataclass: the store makes and reads one per event, and a
    tuple in column order is built in a fraction of the time and goes to the database as it
    is (the field order is the storage column order).
    """

    position: int
    stream_id: str
    stream_version: int
    event_id: uuid.UUID
    event_type: str
    schema_version: int
    data: bytes
    metadata: bytes
    recorded_at: datetime
    hash: str


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Where an append landed: the stream's new version and the global positions it took."""

    stream_version: int
    first_position: int
    last_position: int


class SpooledEvents(Protocol):
    """The events of one append too large to hold in memory together (a roster import of a
    million rows): their ids up front, which decide the append (versions, retries,
    conflicts), and the events themselves read back in order, one at a time, as often as the
    store needs (a retried transaction reads them again). ``infra.eventstore.spool``."""

    @property
    def event_ids(self) -> Sequence[uuid.UUID]: ...

    def __iter__(self) -> Iterator[NewEvent]: ...


class EventStoreError(Exception):
    """Base of every error the port raises; adapters translate their backend's errors to these."""


class WrongExpectedVersion(EventStoreError):
    """The stream was not at the expected version: another writer got there first."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id!r} is at version {actual}, expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class EventIdConflict(EventStoreError):
    """Some of the event ids are already stored, but not as this exact append: a caller bug."""

    def __init__(self, stream_id: str, event_ids: Sequence[uuid.UUID]) -> None:
        ids = ", ".join(str(i) for i in event_ids[:3])
        super().__init__(f"event ids already stored elsewhere (stream {stream_id!r}): {ids}")
        self.stream_id = stream_id
        self.event_ids = tuple(event_ids)


class EventStore(Protocol):
    """Append-only, hash-chained, globally ordered store of events grouped in streams.

    Stream versions count from 1 (the first event of a stream has version 1); ``NO_STREAM``
    (0) is the version of a stream that does not exist. Global positions count from 1 and
    increase in commit order.
    """

    gap_free_positions: bool
    """True when global positions are 1, 2, 3, … with no holes (the SQL adapters)."""

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], *, expected_version: int
    ) -> AppendResult:
        """Append atomically: all events or none. Raises WrongExpectedVersion or EventIdConflict."""
        ...

    async def append_spooled(
        self, stream_id: str, events: SpooledEvents, *, expected_version: int
    ) -> AppendResult:
        """``append`` for events read one at a time while they are written, with the same
        guarantees: all or none, the expected version, the idempotent retry, the hash chain.
        The SQL adapters hold one event in memory at a time, and hold their write lock while
        the events are read: read them from a local file, never from a slow source. An
        iteration that fails, or yields other ids than ``event_ids``, stores nothing."""
        ...

    async def read_stream(
        self,
        stream_id: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        """Events of one stream, forwards from ``from_version`` (default: the first) or
        backwards from it (default: the last). An unknown stream reads as empty."""
        ...

    async def read_all(self, *, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Up to ``limit`` events of the global log with position greater than ``after``."""
        ...

    async def head_position(self) -> int:
        """The position of the last committed event (0 for an empty store)."""
        ...

    async def wait_for_append(self, *, after: int, timeout: float) -> None:
        """Return once an event past ``after`` may be readable, or after ``timeout`` seconds.

        A wake-up hint only: callers read to find out what is there.
        """
        ...

    def subscribe(self, *, after: int = 0, batch_size: int = 500) -> AsyncIterator[RecordedEvent]:
        """Catch-up subscription: every event after ``after``, history first, then live."""
        ...

    async def load_checkpoint(self, subscriber: str) -> int:
        """The last position ``subscriber`` saved (0 when it never saved one)."""
        ...

    async def save_checkpoint(self, subscriber: str, position: int) -> None:
        """Durably record that ``subscriber`` has handled everything up to ``position``."""
        ...

    async def close(self) -> None:
        """Release connections; the store's data stays."""
        ...
