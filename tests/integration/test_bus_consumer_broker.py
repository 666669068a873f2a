"""The consuming side through the real local broker: Faust agents feeding an IdempotentConsumer.

Published once, then again (as a relay does after a crash), then re-read by a fresh group: the
projection holds each event once, and the poison message lands on the dead-letter topic while
the rest flow on. A batch the agent failed on is not committed: a restart delivers it again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from infra.bus.faust_agents import bind_consumer, make_faust_app, running
from infra.bus.kafka_publisher import KafkaPublisher
from infra.bus.local_broker import LocalBroker
from infra.bus.messages import DEAD_LETTER_SUFFIX, BusMessage, to_message
from infra.eventstore.memory import MemoryEventStore
from infra.eventstore.port import ANY_VERSION
from tests.integration.broker_support import FAST_JOIN, counting, read_topic, start_broker, until
from tests.unit.consumer_harness import CODEC, fail_on
from tests.unit.contract_samples import SAMPLES, envelope_of

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(240)]

COUNT = 1_000
POISON = "poison-0"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    broker = start_broker(tmp_path / "broker.log")
    yield broker
    broker.stop()


async def bus_messages(count: int) -> list[BusMessage]:
    """``count`` stored sample events as the relay publishes them; one is the poison."""
    store = MemoryEventStore()
    for n in range(count):
        stream = POISON if n == count // 2 else f"s-{n}"
        envelope = envelope_of(SAMPLES[n % len(SAMPLES)], stream_id=stream)
        await store.append(stream, [CODEC.encode(envelope)], expected_version=ANY_VERSION)
    messages = [to_message(record) for record in await store.read_all(limit=count)]
    return [m for m in messages if m is not None]


async def test_events_flow_once_and_poison_goes_to_dead_letters(broker, harness, tmp_path):
    harness.fault = fail_on(POISON)
    messages = await bus_messages(COUNT)
    poisoned = next(m for m in messages if m.key == POISON.encode())
    dead_topic = poisoned.topic + DEAD_LETTER_SUFFIX
    topics = sorted({m.topic for m in messages})
    publisher = await KafkaPublisher.connect(broker.bootstrap_servers)
    harness.publisher = publisher
    consumer = harness.consumer(max_attempts=2)
    await consumer.create_tables()
    seen = counting(consumer)

    def app(group: str):  # type: ignore[no-untyped-def]
        faust_app = make_faust_app(
            group, bootstrap_servers=broker.bootstrap_servers, data_dir=tmp_path, **FAST_JOIN
        )
        bind_consumer(faust_app, consumer, topics)
        return faust_app

    async def applied_all() -> bool:
        return len(await harness.applied_streams()) == COUNT - 1

    def handled(times: int):  # type: ignore[no-untyped-def]
        async def check() -> bool:
            return sum(seen) >= times * COUNT

        return check

    try:
        await publisher.publish(messages)
        started = time.monotonic()
        async with running(app("itest")):
            joined = time.monotonic()
            await until(applied_all, timeout=60)
            elapsed = time.monotonic() - joined
            before = await harness.applied_streams()
            await publisher.publish(messages)
            await until(handled(2), timeout=60)
            assert await harness.applied_streams() == before
        async with running(app("itest-fresh-group")):
            # the fresh group re-reads both copies; counts can run ahead of it (a rebalance
            # redelivers), so stop only once the second copy of the poison is dead-lettered too
            await until(handled(4), timeout=60)
            await read_topic(broker.bootstrap_servers, dead_topic, at_least=4)
    finally:
        await publisher.close()
    print(f"\n{COUNT} applied in {elapsed:.2f}s after a {joined - started:.1f}s start")

    assert await harness.applied_streams() == before
    dead = await read_topic(broker.bootstrap_servers, dead_topic, at_least=4)
    assert len(dead) == 4  # published, published again, and both re-read by the fresh group
    assert {(d.key, d.value) for d in dead} == {(poisoned.key, poisoned.value)}
    assert {dict(d.headers)["deadletter_attempts"] for d in dead} == {b"2"}  # tried twice alone
    audits = await harness.audit_events()
    assert len(audits) == 2  # one per delivery place: the fresh group's re-read adds none
    dead_offsets = {dict(d.headers)["deadletter_offset"] for d in dead}
    assert {str(orjson.loads(a.data)["offset"]).encode() for a in audits} == dead_offsets


async def test_a_batch_that_raised_is_delivered_again_after_a_restart(broker, harness, tmp_path):
    messages = (await bus_messages(20))[:5]
    publisher = await KafkaPublisher.connect(broker.bootstrap_servers)
    await publisher.publish(messages)
    await publisher.close()
    consumer = harness.consumer()
    await consumer.create_tables()
    handle, raised = consumer.handle_batch, []

    async def crash_once(batch) -> None:  # type: ignore[no-untyped-def]
        if not raised:
            raised.extend(m.key.decode() for m in batch)
            raise RuntimeError("simulated: an unforeseen failure")
        await handle(batch)

    consumer.handle_batch = crash_once  # type: ignore[method-assign]

    async def applied_all() -> bool:
        return len(await harness.applied_streams()) == len(messages)

    def app():  # type: ignore[no-untyped-def]
        faust_app = make_faust_app(
            "restart", bootstrap_servers=broker.bootstrap_servers, data_dir=tmp_path, **FAST_JOIN
        )
        bind_consumer(faust_app, consumer, sorted({m.topic for m in messages}))
        return faust_app

    async def crashed() -> bool:
        return bool(raised)

    async with running(app()):
        await until(crashed, timeout=60)
        await asyncio.sleep(2)  # past a commit interval: nothing may be committed for it
    assert not set(raised) & set(await harness.applied_streams())
    async with running(app()):
        await until(applied_all, timeout=60)
