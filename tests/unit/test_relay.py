"""The relay on the memory store and publisher: order, checkpoints, failures, private events."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from contracts.events import EVENTS
from infra.bus.messages import from_message
from infra.bus.publisher import MemoryPublisher, PublishError
from infra.bus.relay import Relay
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.eventstore.port import NewEvent
from tests.unit.contract_samples import SAMPLES, envelope_of, memory_cipher

CODEC = EventCodec(registry=EVENTS, cipher=memory_cipher())


async def _store_with_samples() -> MemoryEventStore:
    store = MemoryEventStore()
    for n, event in enumerate(SAMPLES):
        envelope = envelope_of(event, stream_id=f"s-{n % 3}")
        await store.append(envelope.stream_id, [CODEC.encode(envelope)], expected_version=-1)
    return store


async def test_every_integration_event_is_published_in_log_order_keyed_by_stream() -> None:
    store, publisher = await _store_with_samples(), MemoryPublisher()
    await Relay(store=store, publisher=publisher, page_size=4).relay_once()
    await Relay(store=store, publisher=publisher, page_size=100).relay_once()
    positions = [from_message(m.value).position for m in publisher.sent]
    assert positions == list(range(1, len(SAMPLES) + 1))
    assert [m.key for m in publisher.sent] == [f"s-{n % 3}".encode() for n in range(len(SAMPLES))]


async def test_the_checkpoint_moves_only_after_the_broker_acknowledged() -> None:
    store, publisher = await _store_with_samples(), MemoryPublisher()
    publisher.fail_next = 1
    relay = Relay(store=store, publisher=publisher, page_size=100)
    with pytest.raises(PublishError):
        await relay.relay_once()
    assert await store.load_checkpoint("relay") == 0
    await relay.relay_once()
    assert await store.load_checkpoint("relay") == len(SAMPLES)
    delivered = {from_message(m.value).event_id for m in publisher.sent}
    assert len(delivered) == len(SAMPLES)  # some twice (at-least-once), none missing


async def test_a_restarted_relay_resumes_from_its_checkpoint() -> None:
    store, publisher = await _store_with_samples(), MemoryPublisher()
    await Relay(store=store, publisher=publisher, page_size=3).relay_once()
    await Relay(store=store, publisher=publisher, page_size=100).relay_once()
    assert len(publisher.sent) == len(SAMPLES)


async def test_private_events_stay_in_the_store() -> None:
    store, publisher = MemoryEventStore(), MemoryPublisher()
    private = NewEvent(envelope_of(SAMPLES[0]).event_id, "RegistryInternalNote", 1, b"{}")
    await store.append("s-private", [private], expected_version=0)
    await Relay(store=store, publisher=publisher).relay_once()
    assert publisher.sent == []
    assert await store.load_checkpoint("relay") == 1


async def test_the_message_carries_the_stored_bytes_and_the_trace_headers() -> None:
    store, publisher = await _store_with_samples(), MemoryPublisher()
    await Relay(store=store, publisher=publisher).relay_once()
    (stored,) = await store.read_stream("s-0", limit=1)
    message = publisher.sent[0]
    carried = from_message(message.value)
    assert (carried.data, carried.metadata, carried.hash) == (
        stored.data,
        stored.metadata,
        stored.hash,
    )
    headers = dict(message.headers)
    assert headers["event_type"] == stored.event_type.encode()
    assert orjson.loads(stored.metadata)["traceparent"] is not None
    assert "traceparent" in headers


class _CountingSaves(MemoryEventStore):
    def __init__(self) -> None:
        super().__init__()
        self.saved: list[int] = []

    async def save_checkpoint(self, subscriber: str, position: int) -> None:
        self.saved.append(position)
        await super().save_checkpoint(subscriber, position)


async def test_a_running_relay_checkpoints_now_and_then_and_when_caught_up() -> None:
    store, publisher = _CountingSaves(), MemoryPublisher()
    for n, event in enumerate(SAMPLES):
        envelope = envelope_of(event, stream_id=f"s-{n}")
        await store.append(envelope.stream_id, [CODEC.encode(envelope)], expected_version=-1)
    relay = Relay(store=store, publisher=publisher, page_size=1, checkpoint_every=60)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    async with asyncio.timeout(5):
        while store.saved[-1:] != [len(SAMPLES)]:
            await asyncio.sleep(0.01)
    stop.set()
    await running
    assert len(publisher.sent) == len(SAMPLES)
    assert len(store.saved) <= 2  # not one per page: now and then, and once caught up
    assert await store.load_checkpoint("relay") == len(SAMPLES)
