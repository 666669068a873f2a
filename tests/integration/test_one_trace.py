"""One trace from the clerk's HTTP command to the consumer that projects its event.

POST /beneficiaries (the registry app, in process) appends to a traced SQLite store; the relay
publishes the stored event to the local broker with the trace context in its headers; a Faust
agent hands it to publicity's idempotent consumer. Every span belongs to the request's trace,
and the parent links say who caused what: server → append, server → relay (through the
envelope's traceparent), relay → consumer (through the Kafka headers).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from infra.bus.consumer import IdempotentConsumer
from infra.bus.dead_letter import DeadLetterSink
from infra.bus.faust_agents import bind_consumer, make_faust_app, running
from infra.bus.kafka_publisher import KafkaPublisher
from infra.bus.relay import Relay
from infra.eventstore.factory import open_event_store
from infra.eventstore.traced import TracedEventStore
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from infra.wiring import make_codec
from services.publicity import bootstrap as publicity
from services.registry import bootstrap as registry
from tests.integration.broker_support import FAST_JOIN, read_topic, start_broker, until
from tests.tracing import captured_spans

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(120)]

CLERK = {
    "X-Onecard-User": "u-clerk",
    "X-Onecard-Role": "township_operator",
    "X-Onecard-Jurisdiction": "650102001",
}
PERSON = {
    "beneficiary_id": "b-trace",
    "citizen_id": "11010519491231002X",
    "name": "王建国",
    "village_code": "650102001001",
    "household_id": "h-trace",
}


@dataclass
class Pipeline:
    """Registry app, relay and publicity consumer on one store, one broker."""

    registry: httpx.AsyncClient
    relay: Relay
    consumer: IdempotentConsumer
    bootstrap: str
    data_dir: Path


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with captured_spans() as exporter:
        yield exporter


@pytest.fixture
async def pipeline(tmp_path: Path) -> AsyncIterator[Pipeline]:
    async with AsyncExitStack() as stack:
        broker = start_broker(tmp_path / "broker.log")
        stack.callback(broker.stop)
        settings = Settings(
            data_dir=tmp_path,
            event_store_url=f"sqlite:///{tmp_path}/events.db",
            kafka_bootstrap_servers=broker.bootstrap_servers,
        )
        store = TracedEventStore(await open_event_store(settings.event_store_url))
        stack.push_async_callback(store.close)
        projections = await ProjectionDatabase.open(f"sqlite:///{tmp_path}/publicity.db")
        stack.push_async_callback(projections.close)
        publisher = await KafkaPublisher.connect(broker.bootstrap_servers)
        stack.push_async_callback(publisher.close)
        deps = ServiceDeps(settings, store, make_codec(settings), projections)
        transport = httpx.ASGITransport(app=registry.build(deps).http)
        client = httpx.AsyncClient(transport=transport, base_url="http://registry")
        stack.push_async_callback(client.aclose)
        (spec,) = [
            c for c in publicity.build(deps).consumers if c.name.endswith("village-register")
        ]
        sink = DeadLetterSink(publisher=publisher, store=store)
        consumer = IdempotentConsumer(
            spec=spec, database=projections, codec=deps.codec, dead_letters=sink
        )
        await consumer.create_tables()
        relay = Relay(store=store, publisher=publisher, name="relay-trace")
        yield Pipeline(client, relay, consumer, broker.bootstrap_servers, tmp_path)


async def test_one_trace_spans_command_append_relay_kafka_and_consumer(
    pipeline: Pipeline, spans: InMemorySpanExporter
) -> None:
    answer = await pipeline.registry.post("/beneficiaries", json=PERSON, headers=CLERK)
    assert answer.status_code == 201, answer.text
    assert await pipeline.relay.relay_once() == 2  # the ID reservation stays in the store
    await consume_until_span(pipeline, spans, "consume BeneficiaryRegistered")

    finished = spans.get_finished_spans()
    server = only(finished, "POST /beneficiaries", SpanKind.SERVER)
    relay = only(finished, "relay BeneficiaryRegistered", SpanKind.PRODUCER)
    consumer = only(finished, "consume BeneficiaryRegistered", SpanKind.CONSUMER)
    appends = [span for span in finished if span.name == "eventstore append"]
    trace_id = context_of(server)[0]

    assert len(appends) == 2  # the citizen ID's reservation, then the registration
    for span in (*appends, relay, consumer):
        assert context_of(span)[0] == trace_id, span.name
    assert {parent_of(span) for span in appends} == {context_of(server)[1]}
    assert parent_of(relay) == context_of(server)[1]
    assert parent_of(consumer) == context_of(relay)[1]
    (message,) = await read_topic(pipeline.bootstrap, relay_topic(relay), at_least=1)
    _, carried_trace, carried_parent, _ = dict(message.headers)["traceparent"].decode().split("-")
    assert (carried_trace, carried_parent) == (f"{trace_id:032x}", f"{context_of(relay)[1]:016x}")


async def consume_until_span(pipeline: Pipeline, spans: InMemorySpanExporter, name: str) -> None:
    app = make_faust_app(
        "trace", bootstrap_servers=pipeline.bootstrap, data_dir=pipeline.data_dir, **FAST_JOIN
    )
    bind_consumer(app, pipeline.consumer, pipeline.consumer.spec.topics)

    async def ended() -> bool:
        return any(span.name == name for span in spans.get_finished_spans())

    async with running(app):
        await until(ended, timeout=60)


def only(spans: tuple[ReadableSpan, ...], name: str, kind: SpanKind) -> ReadableSpan:
    (span,) = [span for span in spans if span.name == name]
    assert span.kind == kind, f"{name} is {span.kind}, not {kind}"
    return span


def context_of(span: ReadableSpan) -> tuple[int, int]:
    assert span.context is not None
    return span.context.trace_id, span.context.span_id


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def relay_topic(span: ReadableSpan) -> str:
    assert span.attributes is not None
    return str(span.attributes["messaging.destination.name"])
