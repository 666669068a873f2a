"""The notify's consumers through the real local broker, as Faust agents: the payments are
published before the phones (another topic, read at its own pace), then everything again (a
relay resending after a crash); one SMS per payment goes out, and a failure is on the work
queue once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from infra.bus.faust_agents import bind_consumer, make_faust_app, running
from infra.bus.kafka_publisher import KafkaPublisher
from infra.bus.local_broker import LocalBroker
from infra.bus.messages import BusMessage, to_message
from services.notify.adapters.tables import phone_directory, sms_outbox
from tests.integration.broker_support import FAST_JOIN, counting, start_broker, until
from tests.unit.notify_harness import NotifyWorld, notify_world
from tests.unit.notify_samples import failed, paid, registered

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(240)]

PEOPLE = 60


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    broker = start_broker(tmp_path / "broker.log")
    yield broker
    broker.stop()


async def count(world: NotifyWorld, table: object) -> int:
    async with world.projections.transaction() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def stored_messages(world: NotifyWorld) -> tuple[list[BusMessage], list[BusMessage]]:
    """The payout's messages and the registry's, as the relay publishes them."""
    messages = [m for r in await world.store.read_all() if (m := to_message(r)) is not None]
    payments = [m for m in messages if m.topic == "onecard.payout.payments"]
    return payments, [m for m in messages if m.topic == "onecard.registry.beneficiaries"]


async def test_each_payment_sends_one_sms_through_the_broker(
    broker: LocalBroker, tmp_path: Path
) -> None:
    async with notify_world(tmp_path) as world:
        for n in range(1, PEOPLE + 1):
            await world.beneficiary(registered(f"b-{n}", f"139{n:08d}"))
            await world.payment(paid(n))
        await world.payment(failed(PEOPLE + 1))
        payments, phones = await stored_messages(world)
        consumers = [world.phones.consumer, world.payments.consumer]
        seen = [counting(consumer) for consumer in consumers]
        app = make_faust_app(
            "notify-itest",
            bootstrap_servers=broker.bootstrap_servers,
            data_dir=tmp_path,
            **FAST_JOIN,
        )
        for consumer in consumers:
            bind_consumer(app, consumer, consumer.spec.topics)
        publisher = await KafkaPublisher.connect(broker.bootstrap_servers)

        async def all_in() -> bool:
            return (
                await count(world, sms_outbox) == PEOPLE
                and await count(world, phone_directory) == PEOPLE
            )

        async def handled_twice() -> bool:
            return sum(seen[0]) >= 2 * len(phones) and sum(seen[1]) >= 2 * len(payments)

        try:
            async with running(app):
                await publisher.publish(payments)
                await publisher.publish(phones)
                await until(all_in, timeout=90)
                await world.dispatch()
                await publisher.publish(payments + phones)
                await until(handled_twice, timeout=90)
                await world.dispatch()
        finally:
            await publisher.close()

        spooled = world.spooled()
        assert len(spooled) == len({sms["id"] for sms in spooled}) == PEOPLE
        assert {sms["to"] for sms in spooled} == {f"139{n:08d}" for n in range(1, PEOPLE + 1)}
        queue = (await world.get("/work-queue", "operator")).json()["items"]
        assert [item["row_no"] for item in queue] == [PEOPLE + 1]
