"""An IdempotentConsumer on a SQLite projection file, the memory store and publisher, with a
projection that records which events it applied, and bus messages made from sample events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, Uuid, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import EVENTS
from infra.bus.consumed import ConsumedMessage
from infra.bus.consumer import IdempotentConsumer
from infra.bus.dead_letter import DeadLetterSink
from infra.bus.messages import to_message
from infra.bus.publisher import MemoryPublisher
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.eventstore.port import ANY_VERSION, RecordedEvent
from infra.projections.database import ProjectionDatabase
from infra.service import ConsumerSpec
from tests.unit.contract_samples import SAMPLES, envelope_of, memory_cipher

CODEC = EventCodec(registry=EVENTS, cipher=memory_cipher())
PROJECTION = MetaData()
applied = Table(
    "applied",
    PROJECTION,
    Column("event_id", Uuid, primary_key=True),
    Column("stream_id", String(256), nullable=False),
    Column("event_type", String(128), nullable=False),
)

CONSUMER = "publicity-notices"
Fault = Callable[[Envelope[Event]], None]
"""Called before each apply; raises to make the handler fail."""


def fail_on(stream_id: str, *, times: int | None = None) -> Fault:
    """A fault failing the events of ``stream_id``: ``times`` times, or always."""
    left = [times]

    def fault(envelope: Envelope[Event]) -> None:
        if envelope.stream_id == stream_id and (left[0] is None or left[0] > 0):
            left[0] = None if left[0] is None else left[0] - 1
            raise RuntimeError(f"handler failed on {stream_id}")

    return fault


@dataclass
class Harness:
    database: ProjectionDatabase
    store: MemoryEventStore = field(default_factory=MemoryEventStore)
    publisher: MemoryPublisher = field(default_factory=MemoryPublisher)
    calls: list[str] = field(default_factory=list)
    fault: Fault | None = None

    def consumer(
        self, *, name: str = "publicity-notices", max_attempts: int = 3
    ) -> IdempotentConsumer:
        spec = ConsumerSpec(name=name, topics=(), handler=self.handle, tables=PROJECTION)
        sink = DeadLetterSink(publisher=self.publisher, store=self.store)
        return IdempotentConsumer(
            spec=spec,
            database=self.database,
            codec=CODEC,
            dead_letters=sink,
            max_attempts=max_attempts,
            backoff=lambda _: 0.0,
        )

    async def handle(self, conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]) -> None:
        for envelope in envelopes:
            self.calls.append(envelope.stream_id)
            if self.fault is not None:
                self.fault(envelope)
            row = {"stream_id": envelope.stream_id, "event_type": envelope.event_type}
            await conn.execute(insert(applied).values(event_id=envelope.event_id, **row))

    async def audit_events(self) -> list[RecordedEvent]:
        return await self.store.read_stream(f"deadletter-{CONSUMER}")

    async def applied_streams(self) -> list[str]:
        async with self.database.transaction() as conn:
            rows = await conn.execute(select(applied.c.stream_id).order_by(applied.c.stream_id))
            return list(rows.scalars())


async def open_harness(tmp_path: Path) -> Harness:
    database = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/projections.db")
    return Harness(database)


async def sample_messages(*, streams: list[str] | None = None) -> list[ConsumedMessage]:
    """One message per sample event, on stream ``s-<n>`` (or the names given), offsets 0…"""
    store = MemoryEventStore()
    names = streams or [f"s-{n}" for n in range(len(SAMPLES))]
    for name, event in zip(names, SAMPLES, strict=False):
        envelope = envelope_of(event, stream_id=name)
        await store.append(name, [CODEC.encode(envelope)], expected_version=ANY_VERSION)
    messages = []
    for offset, record in enumerate(await store.read_all()):
        message = to_message(record)
        assert message is not None
        messages.append(
            ConsumedMessage(message.topic, 0, offset, message.key, message.value, message.headers)
        )
    return messages


async def deliver_stored(
    store: MemoryEventStore,
    consumer: IdempotentConsumer,
    *,
    after: int,
    offsets: dict[str, int],
    publisher: MemoryPublisher,
    what: str,
) -> int:
    """Hand ``consumer`` what the relay would publish of everything stored after ``after`` on
    its topics (offsets numbered per topic from ``offsets``, which advance), round after round
    until its own reactions are delivered too; fails on any dead letter. Returns the last
    position delivered."""
    topics = set(consumer.spec.topics)
    while records := await store.read_all(after=after):
        after = records[-1].position
        messages = []
        for record in records:
            message = to_message(record)
            if message is None or message.topic not in topics:
                continue
            offset = offsets.get(message.topic, 0)
            offsets[message.topic] = offset + 1
            messages.append(
                ConsumedMessage(
                    message.topic, 0, offset, message.key, message.value, message.headers
                )
            )
        await consumer.handle_batch(messages)
        assert not publisher.sent, f"{what} was dead-lettered"
    return after
