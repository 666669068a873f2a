"""The parts a bus benchmark runs, in one process: store, local broker, relay task, Faust app
with the publicity village-register consumer, each probed (bench.bus_probe) and each stopped
and removed by the ``AsyncExitStack`` that opened it."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

import infra.eventstore.sqlite as sqlite_store
from bench.bus_probe import (
    Probe,
    ProbedPublisher,
    ProbedStore,
    ReceiveSensor,
    probe_commits,
    probed_handler,
)
from bench.sample_events import SampleEvents
from contracts.events import BeneficiaryRegistered
from contracts.topics import topic_of
from infra.bus import faust_transport
from infra.bus.consumer import IdempotentConsumer
from infra.bus.faust_agents import bind_consumer, make_faust_app, running
from infra.bus.kafka_publisher import KafkaPublisher
from infra.bus.local_broker import LocalBroker
from infra.bus.messages import to_message
from infra.bus.relay import Relay
from infra.eventstore.memory import MemoryEventStore
from infra.eventstore.port import NO_STREAM, EventStore
from infra.eventstore.postgres import PostgresEventStore
from infra.eventstore.sqlite import SqliteEventStore
from infra.projections.database import ProjectionDatabase
from infra.service import ConsumerSpec
from services.publicity.adapters.tables import TABLES
from services.publicity.application.village_register import on_beneficiary_registered

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TOPIC = topic_of(BeneficiaryRegistered.event_type).name
FAST_JOIN = {"broker_rebalance_timeout": 3.0, "broker_session_timeout": 10.0}
"""As tests/integration/broker_support.py: a new group's first join on the local broker."""


@dataclass(frozen=True)
class Knobs:
    store: str
    max_batch: int
    within: float
    page_size: int
    linger_ms: int
    relay_store: str
    poll_interval: float
    fetch_max_wait_ms: int | None
    wake_ups: bool = True

    def context(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "projections": self.store,
            "faust_take_events_max": self.max_batch,
            "faust_take_events_within_s": self.within,
            "relay_page_size": self.page_size,
            "producer_linger_ms": self.linger_ms,
            "relay_store_instance": self.relay_store,
            "sqlite_wake_ups": self.wake_ups,
            "sqlite_wait_for_append_poll_s": (
                sqlite_store.WOKEN_POLL_INTERVAL if self.wake_ups else self.poll_interval
            ),
            "faust_consumer_fetch_max_wait_ms": self.fetch_max_wait_ms
            or faust_transport.FETCH_MAX_WAIT_MS,
            "faust_overrides": FAST_JOIN,
            "process_layout": "writer, relay and Faust agent as tasks of one process and loop",
        }


class DeadLetterCount:
    """Dead letters would void a run: they are counted, and the run reports the count."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, message: Any, *, consumer: str, error: BaseException, **_: Any) -> None:
        self.sent.append(repr(error))


class Rig:
    """Use as ``async with Rig(...) as rig``: leaving the block stops and removes all it made."""

    def __init__(self, knobs: Knobs, sample: SampleEvents) -> None:
        self.knobs, self.sample = knobs, sample
        self._stack = stack = AsyncExitStack()
        self.folder = Path(tempfile.mkdtemp(prefix="bench-bus-"))
        stack.callback(shutil.rmtree, self.folder, ignore_errors=True)
        self.dead_letters = DeadLetterCount()
        self._schemas: list[str] = []
        stack.push_async_callback(self._drop_schemas)
        sqlite_store.POLL_INTERVAL = knobs.poll_interval  # type: ignore[misc]
        sqlite_store.WAKE_UPS = knobs.wake_ups  # type: ignore[misc]
        if knobs.fetch_max_wait_ms is not None:
            _set_fetch_max_wait(knobs.fetch_max_wait_ms)

    async def __aenter__(self) -> Rig:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    # -- stores ---------------------------------------------------------------------------

    async def new_store(self) -> tuple[EventStore, str]:
        """A fresh, empty event store and where it lives (to open it again)."""
        where = self._new_place("events")
        return await self.open_store(where), where

    async def open_store(self, where: str) -> EventStore:
        if self.knobs.store == "sqlite":
            store: EventStore = await SqliteEventStore.open(where)
        else:
            store = await PostgresEventStore.open(POSTGRES, schema=where)
        self._stack.push_async_callback(store.close)
        return store

    async def relay_view(self, store: EventStore, where: str) -> EventStore:
        """The store the relay reads: its own instance (as the relay process has) or the
        writer's (so the writer's commits wake it at once)."""
        return await self.open_store(where) if self.knobs.relay_store == "separate" else store

    async def projections(self) -> ProjectionDatabase:
        where = self._new_place("proj")
        if self.knobs.store == "sqlite":
            database = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{where}")
        else:
            database = await ProjectionDatabase.open(POSTGRES, schema=where)
        self._stack.push_async_callback(database.close)
        return database

    def _new_place(self, kind: str) -> str:
        if self.knobs.store == "sqlite":
            return str(self.folder / f"{kind}-{uuid.uuid4().hex[:6]}.db")
        schema = f"bench_bus_{kind}_{uuid.uuid4().hex[:8]}"
        self._schemas.append(schema)
        return schema

    async def _drop_schemas(self) -> None:
        if not self._schemas:
            return
        conn = await asyncpg.connect(POSTGRES)
        try:
            for schema in self._schemas:
                await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        finally:
            await conn.close()

    # -- bus ------------------------------------------------------------------------------

    def broker(self) -> LocalBroker:
        broker = LocalBroker(log_path=self.folder / f"broker-{uuid.uuid4().hex[:6]}.log").start()
        self._stack.callback(broker.stop)
        return broker

    async def publisher(self, broker: LocalBroker, probe: Probe) -> ProbedPublisher:
        """KafkaPublisher.connect's producer, with the linger under test."""
        producer = AIOKafkaProducer(
            bootstrap_servers=broker.bootstrap_servers,
            client_id="onecard-relay-bench",
            acks="all",
            enable_idempotence=False,
            linger_ms=self.knobs.linger_ms,
            max_batch_size=1_048_576,
            request_timeout_ms=30_000,
        )
        await producer.start()
        publisher = ProbedPublisher(KafkaPublisher(producer), probe)
        self._stack.push_async_callback(publisher.close)
        return publisher

    async def relay(
        self, store: EventStore, publisher: ProbedPublisher, probe: Probe, name: str
    ) -> None:
        """Relay.run as a task until the rig closes."""
        relay = Relay(
            store=ProbedStore(store, probe),
            publisher=publisher,
            name=name,
            page_size=self.knobs.page_size,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))

        async def stop_relay() -> None:
            stop.set()
            await asyncio.wait_for(task, 10)

        self._stack.push_async_callback(stop_relay)

    async def consumer(self, broker: LocalBroker, probe: Probe, batches: list[int]) -> None:
        """The publicity village register as a Faust agent, started in this loop."""
        spec = ConsumerSpec(
            name="publicity-village-register",
            topics=(TOPIC,),
            handler=probed_handler(on_beneficiary_registered, probe),
            tables=TABLES,
        )
        consumer = IdempotentConsumer(
            spec=spec,
            database=await self.projections(),
            codec=self.sample.codec,
            dead_letters=self.dead_letters,
        )
        await consumer.create_tables()
        probe_commits(consumer, probe, batches)
        app = make_faust_app(
            f"bench-{uuid.uuid4().hex[:8]}",
            bootstrap_servers=broker.bootstrap_servers,
            data_dir=self.folder,
            **FAST_JOIN,
        )
        app.sensors.add(ReceiveSensor(probe))
        bind_consumer(
            app, consumer, [TOPIC], max_batch=self.knobs.max_batch, within=self.knobs.within
        )
        await self._stack.enter_async_context(running(app))

    async def joined_consumer(
        self, broker: LocalBroker, publisher: ProbedPublisher, probe: Probe, batches: list[int]
    ) -> None:
        """Publish one event straight to the topic (creating it), start the consumer and wait
        until it committed that event: the group has joined and every connection is open."""
        memory = MemoryEventStore()
        await memory.append("warm-up", self.sample.batch(1), expected_version=NO_STREAM)
        message = to_message((await memory.read_all())[0])
        assert message is not None
        await publisher.publish([message])
        await self.consumer(broker, probe, batches)
        await probe.committed(dict(message.headers)["event_id"].decode(), timeout=60)


def _set_fetch_max_wait(milliseconds: int) -> None:
    """The consumer's fetch wait (``infra.bus.faust_transport.FETCH_MAX_WAIT_MS``): the local
    broker answers a fetch at the end of that wait rather than when a record arrives."""
    faust_transport.FETCH_MAX_WAIT_MS = milliseconds  # type: ignore[misc]
