"""An EventStore that records a span for every append and stream read, around any adapter.

Only where a span can be recorded: with no tracer provider installed, or inside a trace its
root chose not to sample (children of an unsampled span are dropped by the parent-based
sampler, the default), the call goes straight to the adapter — building a span that is thrown
away costs more than reading a payment row's few events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from opentelemetry import trace

from infra.eventstore.port import (
    AppendResult,
    EventStore,
    NewEvent,
    RecordedEvent,
    SpooledEvents,
)
from infra.telemetry import is_recording

tracer = trace.get_tracer("onecard.eventstore")


def recordable() -> bool:
    """Whether a span started here now would be recorded (see above)."""
    if not is_recording():
        return False
    parent = trace.get_current_span().get_span_context()
    return not parent.is_valid or parent.trace_flags.sampled


class TracedEventStore:
    def __init__(self, inner: EventStore) -> None:
        self.inner = inner
        self.gap_free_positions = inner.gap_free_positions

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], *, expected_version: int
    ) -> AppendResult:
        if not recordable():
            return await self.inner.append(stream_id, events, expected_version=expected_version)
        with tracer.start_as_current_span("eventstore append") as span:
            span.set_attribute("onecard.stream_id", stream_id)
            span.set_attribute("onecard.events", len(events))
            result = await self.inner.append(stream_id, events, expected_version=expected_version)
            span.set_attribute("onecard.position", result.last_position)
            return result

    async def append_spooled(
        self, stream_id: str, events: SpooledEvents, *, expected_version: int
    ) -> AppendResult:
        with tracer.start_as_current_span("eventstore append_spooled") as span:
            span.set_attribute("onecard.stream_id", stream_id)
            span.set_attribute("onecard.events", len(events.event_ids))
            result = await self.inner.append_spooled(
                stream_id, events, expected_version=expected_version
            )
            span.set_attribute("onecard.position", result.last_position)
            return result

    async def read_stream(
        self,
        stream_id: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        if not recordable():
            return await self.inner.read_stream(
                stream_id, from_version=from_version, backwards=backwards, limit=limit
            )
        with tracer.start_as_current_span("eventstore read_stream") as span:
            span.set_attribute("onecard.stream_id", stream_id)
            return await self.inner.read_stream(
                stream_id, from_version=from_version, backwards=backwards, limit=limit
            )

    async def read_all(self, *, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return await self.inner.read_all(after=after, limit=limit)

    async def head_position(self) -> int:
        return await self.inner.head_position()

    async def wait_for_append(self, *, after: int, timeout: float) -> None:
        await self.inner.wait_for_append(after=after, timeout=timeout)

    def subscribe(self, *, after: int = 0, batch_size: int = 500) -> AsyncIterator[RecordedEvent]:
        return self.inner.subscribe(after=after, batch_size=batch_size)

    async def load_checkpoint(self, subscriber: str) -> int:
        return await self.inner.load_checkpoint(subscriber)

    async def save_checkpoint(self, subscriber: str, position: int) -> None:
        await self.inner.save_checkpoint(subscriber, position)

    async def close(self) -> None:
        await self.inner.close()
