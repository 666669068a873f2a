"""In-memory event store: the same guarantees as the durable adapters, for unit tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime

from infra.eventstore.planning import (
    AppendRequest,
    StoredId,
    StreamHead,
    check_ids,
    check_request,
    plan_batch,
    read_spool,
)
from infra.eventstore.port import (
    AppendResult,
    EventStoreError,
    NewEvent,
    RecordedEvent,
    SpooledEvents,
)
from infra.eventstore.reads import slice_stream
from infra.eventstore.subscription import catch_up


class MemoryEventStore:
    gap_free_positions = True

    def __init__(self, *, hash_algorithm: str = "sha256") -> None:
        self._algorithm = hash_algorithm
        self._log: list[RecordedEvent] = []
        self._streams: dict[str, list[RecordedEvent]] = {}
        self._ids: dict[uuid.UUID, StoredId] = {}
        self._checkpoints: dict[str, int] = {}
        self._appended = asyncio.Event()
        self._lock = asyncio.Lock()
        self.before_commit: Callable[[], Awaitable[None]] | None = None

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], *, expected_version: int
    ) -> AppendResult:
        request = AppendRequest(stream_id, tuple(events), expected_version)
        check_request(request)
        async with self._lock:
            return await self._append_locked(request)

    async def append_spooled(
        self, stream_id: str, events: SpooledEvents, *, expected_version: int
    ) -> AppendResult:
        """Read whole: this store holds every event in memory anyway."""
        check_ids(stream_id, events.event_ids, expected_version)
        async with self._lock:
            request = AppendRequest(stream_id, read_spool(events), expected_version)
            return await self._append_locked(request)

    async def _append_locked(self, request: AppendRequest) -> AppendResult:
        stream_id, events = request.stream_id, request.events
        stream = self._streams.get(stream_id, [])
        head = StreamHead(stream[-1].stream_version, stream[-1].hash) if stream else None
        plan = plan_batch(
            [request],
            heads={stream_id: head} if head else {},
            stored={e.event_id: self._ids[e.event_id] for e in events if e.event_id in self._ids},
            head_position=len(self._log),
            recorded_at=datetime.now(UTC),
            algorithm=self._algorithm,
        )
        outcome = plan.outcomes[0]
        if isinstance(outcome, EventStoreError):
            raise outcome
        if self.before_commit is not None and plan.rows:
            await self.before_commit()
        for row in plan.rows:
            self._log.append(row)
            self._streams.setdefault(stream_id, []).append(row)
            self._ids[row.event_id] = StoredId(stream_id, row.stream_version, row.position)
        if plan.rows:
            self._appended.set()
            self._appended = asyncio.Event()
        return outcome

    async def read_stream(
        self,
        stream_id: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        stream = self._streams.get(stream_id, [])
        return slice_stream(stream, from_version=from_version, backwards=backwards, limit=limit)

    async def read_all(self, *, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return self._log[after : after + limit]  # positions are 1..n, so index = position - 1

    async def head_position(self) -> int:
        return len(self._log)

    async def wait_for_append(self, *, after: int, timeout: float) -> None:
        if len(self._log) > after:
            return
        try:
            await asyncio.wait_for(self._appended.wait(), timeout)
        except TimeoutError:
            return

    def subscribe(self, *, after: int = 0, batch_size: int = 500) -> AsyncIterator[RecordedEvent]:
        return catch_up(self, after=after, batch_size=batch_size)

    async def load_checkpoint(self, subscriber: str) -> int:
        return self._checkpoints.get(subscriber, 0)

    async def save_checkpoint(self, subscriber: str, position: int) -> None:
        self._checkpoints[subscriber] = position

    async def close(self) -> None:
        return None
