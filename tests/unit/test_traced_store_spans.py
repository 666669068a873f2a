"""The traced store builds spans only where they can be recorded: inside a sampled trace (or a
new one) it records its append and read spans; inside a trace whose root was not sampled it
goes straight to the adapter, and the answers are the same."""

from __future__ import annotations

import uuid

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from infra.eventstore.memory import MemoryEventStore
from infra.eventstore.port import NewEvent
from infra.eventstore.traced import TracedEventStore, recordable
from tests.tracing import captured_spans, global_sdk_provider


def _event() -> list[NewEvent]:
    return [NewEvent(uuid.uuid4(), "Tested", 1, b"{}")]


def _parent(*, sampled: bool) -> NonRecordingSpan:
    flags = TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT)
    context = SpanContext(uuid.uuid4().int >> 64, 1, is_remote=True, trace_flags=flags)
    return NonRecordingSpan(context)


async def test_store_calls_inside_a_sampled_trace_are_spans() -> None:
    global_sdk_provider()
    store = TracedEventStore(MemoryEventStore())
    with captured_spans() as exporter, trace.use_span(_parent(sampled=True)):
        await store.append("s-1", _event(), expected_version=0)
        assert len(await store.read_stream("s-1")) == 1
    names = [span.name for span in exporter.get_finished_spans()]
    assert names == ["eventstore append", "eventstore read_stream"]


async def test_store_calls_inside_an_unsampled_trace_skip_the_span_and_answer_the_same() -> None:
    global_sdk_provider()
    store = TracedEventStore(MemoryEventStore())
    assert recordable()
    with trace.use_span(_parent(sampled=True)):
        assert recordable()
    with captured_spans() as exporter, trace.use_span(_parent(sampled=False)):
        assert not recordable()
        result = await store.append("s-1", _event(), expected_version=0)
        assert len(await store.read_stream("s-1")) == 1
    assert result.stream_version == 1
    assert exporter.get_finished_spans() == ()
