"""``run_consumers``, the seam ``onecard serve`` uses: wired from the settings alone, it runs
a service's consumers on the broker until told to stop, then closes what it opened."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from infra.bus.faust_agents import run_consumers
from infra.bus.kafka_publisher import KafkaPublisher
from infra.bus.local_broker import LocalBroker
from infra.bus.messages import to_message
from infra.eventstore.memory import MemoryEventStore
from infra.eventstore.port import ANY_VERSION
from infra.projections.database import ProjectionDatabase
from infra.service import ConsumerSpec, ServiceDeps
from infra.settings import Settings
from infra.wiring import make_codec
from tests.integration.broker_support import start_broker
from tests.unit.contract_samples import ROSTER, envelope_of

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(120)]

TABLES = MetaData()
rosters = Table("rosters", TABLES, Column("roster_id", String(64), primary_key=True))


async def project(conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]) -> None:
    await conn.execute(insert(rosters), [{"roster_id": e.stream_id} for e in envelopes])


@pytest.fixture
def broker() -> Iterator[LocalBroker]:
    broker = start_broker()
    yield broker
    broker.stop()


async def test_consumers_run_until_stopped(broker: LocalBroker, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        event_store_url=f"sqlite:///{tmp_path}/events.db",
        projection_db_url=f"sqlite+aiosqlite:///{tmp_path}/{{service}}.db",
        kafka_bootstrap_servers=broker.bootstrap_servers,
    )
    codec, store = make_codec(settings), MemoryEventStore()
    for n in range(3):
        envelope = envelope_of(ROSTER, stream_id=f"roster-{n}")
        await store.append(
            envelope.stream_id, [codec.encode(envelope)], expected_version=ANY_VERSION
        )
    messages = [m for r in await store.read_all() if (m := to_message(r)) is not None]
    publisher = await KafkaPublisher.connect(broker.bootstrap_servers)
    await publisher.publish(messages)
    await publisher.close()

    spec = ConsumerSpec("publicity-rosters", (messages[0].topic,), project, TABLES)
    stop = asyncio.Event()
    database = await ProjectionDatabase.open(settings.projection_url("publicity"))
    deps = ServiceDeps(settings, store, codec, database)
    running = asyncio.create_task(
        run_consumers(service="publicity", consumers=[spec], deps=deps, stop=stop)
    )
    try:
        async with asyncio.timeout(60):
            while True:
                await asyncio.sleep(0.2)
                assert not running.done(), running
                async with database.transaction() as conn:
                    try:
                        found = list((await conn.execute(select(rosters.c.roster_id))).scalars())
                    except Exception:  # the consumer has not created its tables yet
                        continue
                if len(found) == 3:
                    break
        stop.set()
        await asyncio.wait_for(running, timeout=30)
    finally:
        stop.set()
        await database.close()
    assert sorted(found) == ["roster-0", "roster-1", "roster-2"]
