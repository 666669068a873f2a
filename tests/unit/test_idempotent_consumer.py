"""IdempotentConsumer: a batch is applied once however often it comes, failures are retried,
outages waited out, and each message is traced."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from contracts.base import Event
from contracts.envelope import Envelope
from infra.bus.consumed import ConsumedMessage
from infra.bus.consumer import BatchSkipped, IdempotentConsumer
from infra.bus.messages import BusMessage
from infra.bus.publisher import MemoryPublisher
from tests.unit.consumer_harness import CODEC, fail_on, sample_messages
from tests.unit.contract_samples import SAMPLES


async def test_a_batch_is_applied_in_full(harness, consumer) -> None:
    messages = await sample_messages()
    await consumer.handle_batch(messages)
    assert await harness.applied_streams() == sorted(f"s-{n}" for n in range(len(SAMPLES)))
    assert harness.publisher.sent == []


async def test_a_duplicate_delivery_changes_nothing(harness, consumer) -> None:
    messages = await sample_messages()
    await consumer.handle_batch(messages)
    before = await harness.applied_streams()
    await consumer.handle_batch(messages)
    await consumer.handle_batch([*messages[:3], *messages[:3]])
    assert await harness.applied_streams() == before
    assert len(harness.calls) == len(SAMPLES)


async def test_the_same_event_twice_in_one_batch_is_applied_once(harness, consumer) -> None:
    first, *_ = await sample_messages()
    again = replace(first, offset=first.offset + 100)
    await consumer.handle_batch([first, again])
    assert harness.calls == ["s-0"]


async def test_a_handler_failing_once_is_retried_and_applied(harness, consumer) -> None:
    harness.fault = fail_on("s-2", times=1)
    await consumer.handle_batch(await sample_messages())
    assert len(await harness.applied_streams()) == len(SAMPLES)
    assert harness.publisher.sent == []
    assert await harness.audit_events() == []


async def test_an_outage_is_waited_out_and_never_dead_lettered(harness) -> None:
    consumer = harness.consumer(max_attempts=1)
    await consumer.create_tables()
    left = [2]

    def unreachable(envelope: Envelope[Event]) -> None:
        if left[0]:
            left[0] -= 1
            raise ConnectionRefusedError("database unreachable")

    harness.fault = unreachable
    await consumer.handle_batch((await sample_messages())[:1])
    assert await harness.applied_streams() == ["s-0"]
    assert harness.publisher.sent == []


async def test_each_message_gets_a_consumer_span_continuing_its_trace(harness) -> None:
    exporter, provider = InMemorySpanExporter(), TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    consumer = harness.consumer()
    consumer = IdempotentConsumer(
        spec=consumer.spec,
        database=harness.database,
        codec=CODEC,
        dead_letters=consumer._dead_letters,
        tracer_provider=provider,
    )
    await consumer.create_tables()
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    first, *_ = await sample_messages()
    traced = replace(first, headers=[("traceparent", f"00-{trace_id}-{parent_id}-01".encode())])
    await consumer.handle_batch([traced])
    (span,) = exporter.get_finished_spans()
    assert span.kind is SpanKind.CONSUMER
    assert format(span.context.trace_id, "032x") == trace_id
    assert span.parent is not None
    assert format(span.parent.span_id, "016x") == parent_id
    assert span.attributes is not None
    assert span.attributes["messaging.destination.name"] == first.topic


async def test_in_a_batch_only_sampled_traces_get_a_span(harness) -> None:
    exporter, provider = InMemorySpanExporter(), TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    template = harness.consumer()
    consumer = IdempotentConsumer(
        spec=template.spec,
        database=harness.database,
        codec=CODEC,
        dead_letters=template._dead_letters,
        tracer_provider=provider,
    )
    await consumer.create_tables()
    parent = "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"
    first, second, *_ = await sample_messages()
    sampled = replace(first, headers=[("traceparent", f"00-{parent}-01".encode())])
    unsampled = replace(second, headers=[("traceparent", f"00-{parent}-00".encode())])
    await consumer.handle_batch([sampled, unsampled])
    (span,) = exporter.get_finished_spans()
    assert span.attributes is not None
    assert span.attributes["messaging.kafka.offset"] == first.offset
    assert span.attributes["onecard.batch_size"] == 2


class _Gate:
    """A fault that holds the handler on ``stream_id`` until opened."""

    def __init__(self, stream_id: str) -> None:
        self.stream_id, self.reached, self.opened = stream_id, asyncio.Event(), asyncio.Event()


async def _gated(harness, gate: _Gate):  # type: ignore[no-untyped-def]
    handle = harness.handle

    async def handle_after_gate(conn, envelopes):  # type: ignore[no-untyped-def]
        if any(e.stream_id == gate.stream_id for e in envelopes):
            gate.reached.set()
            await gate.opened.wait()
        await handle(conn, envelopes)

    harness.handle = handle_after_gate


class _HeldPublisher(MemoryPublisher):
    """Holds every publish (here: a dead letter) until opened."""

    def __init__(self) -> None:
        super().__init__()
        self.reached, self.opened = asyncio.Event(), asyncio.Event()

    async def publish(self, messages: Sequence[BusMessage]) -> None:
        self.reached.set()
        await self.opened.wait()
        await super().publish(messages)


async def test_overlapping_batches_are_written_in_the_order_they_were_handed_over(
    harness,
) -> None:
    messages = await sample_messages()
    garbage = ConsumedMessage(messages[0].topic, 0, 99, b"k", b"not json", ())
    harness.publisher = held = _HeldPublisher()
    consumer = harness.consumer()
    await consumer.create_tables()
    first = asyncio.create_task(consumer.handle_batch([garbage, messages[0]]))
    await held.reached.wait()  # the first batch is still dead-lettering its garbage
    second = asyncio.create_task(consumer.handle_batch(messages[1:3]))
    await asyncio.sleep(0.05)
    assert harness.calls == []  # the second batch waits for the first, though ready first
    held.opened.set()
    await asyncio.gather(first, second)
    assert harness.calls == ["s-0", "s-1", "s-2"]


async def test_a_batch_overlapping_one_that_failed_is_not_written_and_later_ones_are(
    harness,
) -> None:
    messages = await sample_messages()
    gate = _Gate("s-0")
    await _gated(harness, gate)
    consumer = harness.consumer()
    await consumer.create_tables()
    first = asyncio.create_task(consumer.handle_batch(messages[:2]))
    await gate.reached.wait()
    second = asyncio.create_task(consumer.handle_batch(messages[2:4]))
    await asyncio.sleep(0.05)
    first.cancel()  # an agent stopped mid-batch: the batch is rolled back, not acknowledged
    with pytest.raises(asyncio.CancelledError):
        await first
    with pytest.raises(BatchSkipped):
        await second
    assert await harness.applied_streams() == []
    await consumer.handle_batch(messages[2:4])  # the next call starts afresh
    assert await harness.applied_streams() == ["s-2", "s-3"]
