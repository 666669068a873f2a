"""IdempotentConsumer: duplicates change nothing, failures are retried, poison is set aside."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from contracts.base import Event
from contracts.envelope import Envelope
from infra.bus.consumed import ConsumedMessage
from infra.bus.consumer import IdempotentConsumer
from infra.bus.dead_letter import AUDIT_EVENT_TYPE
from infra.bus.messages import DEAD_LETTER_SUFFIX, from_message
from infra.eventstore.port import RecordedEvent
from tests.unit.consumer_harness import CODEC, Harness, open_harness, sample_messages
from tests.unit.contract_samples import SAMPLES

CONSUMER = "publicity-notices"


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await open_harness(tmp_path)
    yield harness
    await harness.database.close()


@pytest.fixture
async def consumer(harness: Harness) -> IdempotentConsumer:
    consumer = harness.consumer(name=CONSUMER)
    await consumer.create_tables()
    return consumer


def fail_on(stream_id: str, *, times: int | None = None):
    left = [times]

    def fault(envelope: Envelope[Event]) -> None:
        if envelope.stream_id == stream_id and (left[0] is None or left[0] > 0):
            left[0] = None if left[0] is None else left[0] - 1
            raise RuntimeError(f"handler failed on {stream_id}")

    return fault


async def audit_events(harness: Harness) -> list[RecordedEvent]:
    return await harness.store.read_stream(f"deadletter-{CONSUMER}")


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
    assert await audit_events(harness) == []


async def test_a_poison_message_is_dead_lettered_and_the_rest_applied(harness, consumer) -> None:
    harness.fault = fail_on("s-2")
    messages = await sample_messages()
    await consumer.handle_batch(messages)
    assert "s-2" not in await harness.applied_streams()
    assert len(await harness.applied_streams()) == len(SAMPLES) - 1
    assert harness.calls.count("s-2") == 1 + 3  # the batch, then three tries alone
    (dead,) = harness.publisher.sent
    poison = messages[2]
    assert (dead.topic, dead.key, dead.value) == (
        poison.topic + DEAD_LETTER_SUFFIX,
        poison.key,
        poison.value,
    )
    headers = dict(dead.headers)
    assert headers["deadletter_consumer"] == CONSUMER.encode()
    assert headers["deadletter_error_type"] == b"builtins.RuntimeError"
    assert headers["deadletter_attempts"] == b"3"
    assert headers["deadletter_offset"] == b"2"
    (audit,) = await audit_events(harness)
    assert audit.event_type == AUDIT_EVENT_TYPE
    assert audit.schema_version == 1
    facts = orjson.loads(audit.data)
    assert facts["event_id"] == str(CODEC.decode(from_message(poison.value)).event_id)
    assert facts["value_sha256"] == hashlib.sha256(poison.value).hexdigest()
    assert facts["value_size"] == len(poison.value)
    assert poison.value not in audit.data
    assert b"data" not in audit.data


async def test_malformed_bytes_are_dead_lettered_at_once(harness, consumer) -> None:
    garbage = ConsumedMessage(
        "onecard.registry.rosters", 1, 9, b"k", b"\xff not json " + "阿".encode(), ()
    )
    await consumer.handle_batch([garbage, *(await sample_messages())])
    assert len(await harness.applied_streams()) == len(SAMPLES)
    (dead,) = harness.publisher.sent
    assert dead.value == garbage.value
    assert dict(dead.headers)["deadletter_error_type"] == b"infra.bus.messages.MalformedMessage"
    assert dict(dead.headers)["deadletter_attempts"] == b"1"
    (audit,) = await audit_events(harness)
    assert orjson.loads(audit.data)["event_id"] is None


async def test_an_event_type_this_code_does_not_know_is_dead_lettered(harness, consumer) -> None:
    first, *_ = await sample_messages()
    body = orjson.loads(first.value)
    unknown = replace(first, value=orjson.dumps({**body, "event_type": "RosterShredded"}))
    await consumer.handle_batch([unknown])
    assert harness.calls == []
    (dead,) = harness.publisher.sent
    assert b"UnknownEventType" in dict(dead.headers)["deadletter_error_type"]


async def test_a_redelivered_poison_message_is_audited_once(harness, consumer) -> None:
    harness.fault = fail_on("s-2")
    messages = await sample_messages()
    await consumer.handle_batch(messages)
    await consumer.handle_batch(messages[2:3])
    assert len(harness.publisher.sent) == 2  # the dead-letter topic is at-least-once
    assert len(await audit_events(harness)) == 1


async def test_an_outage_is_waited_out_and_never_dead_lettered(harness) -> None:
    consumer = harness.consumer(name=CONSUMER, max_attempts=1)
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


async def test_a_dead_letter_sink_failure_is_retried_before_moving_on(harness, consumer) -> None:
    harness.fault = fail_on("s-0")
    harness.publisher.fail_next = 2
    await consumer.handle_batch((await sample_messages())[:1])
    assert [m.topic.endswith(DEAD_LETTER_SUFFIX) for m in harness.publisher.sent] == [True]
    assert len(await audit_events(harness)) == 1


async def test_each_message_gets_a_consumer_span_continuing_its_trace(harness) -> None:
    exporter, provider = InMemorySpanExporter(), TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    consumer = harness.consumer(name=CONSUMER)
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
