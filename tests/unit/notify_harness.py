"""The notify service on the memory store and a SQLite projection, fed like production: the
registry's and the payout's events are appended to the store, turned into bus messages and
handed to the service's two consumers (each at its own pace, so either may run ahead); the
dispatcher runs as its Ticker does, on an adjustable clock, sending through the file provider
into a spool folder the tests read back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import select

from contracts.base import Event
from contracts.envelope import Actor, new_envelope, new_event_id
from contracts.events import EVENTS
from infra.bus.consumer import IdempotentConsumer
from infra.bus.dead_letter import DeadLetterSink
from infra.bus.publisher import MemoryPublisher
from infra.clock import AdjustableClock
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.eventstore.port import ANY_VERSION
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps, ServiceParts
from infra.settings import Settings
from infra.wiring import make_cipher
from services.notify.adapters.tables import TABLES, sms_outbox, work_notices
from services.notify.application.dispatcher import Dispatcher
from services.notify.bootstrap import build
from tests.unit.consumer_harness import deliver_stored
from tests.unit.notify_samples import PAID_AT, headers

CLERK = Actor(user_id="u-clerk", role="township_operator", jurisdiction_code="650102001")


@dataclass
class Feed:
    """One consumer and how far the store has been delivered to it."""

    consumer: IdempotentConsumer
    delivered: int = 0
    offsets: dict[str, int] = field(default_factory=dict)


@dataclass
class NotifyWorld:
    parts: ServiceParts
    store: MemoryEventStore
    bus_codec: EventCodec
    clock: AdjustableClock
    projections: ProjectionDatabase
    phones: Feed
    payments: Feed
    publisher: MemoryPublisher
    client: httpx.AsyncClient
    spool: Path

    @property
    def dispatcher(self) -> Dispatcher:
        dispatcher = self.parts.tickers[0].run.__self__  # type: ignore[attr-defined]
        assert isinstance(dispatcher, Dispatcher)
        return dispatcher

    async def publish(self, stream_id: str, *events: Event) -> None:
        """Store events as their owning service would (one append), not yet delivered."""
        at, correlation = self.clock.now(), uuid.uuid4()
        encoded = [
            self.bus_codec.encode(
                new_envelope(
                    event,
                    event_id=new_event_id(at),
                    stream_id=stream_id,
                    occurred_at=at,
                    actor=CLERK,
                    correlation_id=correlation,
                )
            )
            for event in events
        ]
        await self.store.append(stream_id, encoded, expected_version=ANY_VERSION)

    async def beneficiary(self, *events: Event) -> None:
        beneficiary_id = events[0].beneficiary_id  # type: ignore[attr-defined]
        await self.publish(f"beneficiary-{beneficiary_id}", *events)

    async def payment(self, *events: Event) -> None:
        first = events[0]
        await self.publish(f"payment-{first.roster_id}-{first.row_no}", *events)  # type: ignore[attr-defined]

    async def deliver_phones(self) -> None:
        await self._deliver(self.phones, "a beneficiary event")

    async def deliver_payments(self) -> None:
        await self._deliver(self.payments, "a payment event")

    async def deliver(self) -> None:
        await self.deliver_phones()
        await self.deliver_payments()

    async def redeliver_everything(self) -> None:
        """The bus hands every message over again from the start (a rewound group)."""
        for feed in (self.phones, self.payments):
            feed.delivered, feed.offsets = 0, {}
        await self.deliver()

    async def _deliver(self, feed: Feed, what: str) -> None:
        feed.delivered = await deliver_stored(
            self.store,
            feed.consumer,
            after=feed.delivered,
            offsets=feed.offsets,
            publisher=self.publisher,
            what=what,
        )

    async def dispatch(self) -> None:
        """One run of the dispatcher's Ticker."""
        await self.parts.tickers[0].run()

    def advance(self, by: timedelta) -> None:
        self.clock.advance(by)

    def spooled(self) -> list[dict[str, Any]]:
        """Every message the file provider wrote, in order."""
        lines: list[dict[str, Any]] = []
        for path in sorted(self.spool.glob("sms-*.jsonl")):
            lines.extend(orjson.loads(line) for line in path.read_bytes().splitlines())
        return lines

    async def outbox(self) -> dict[str, dict[str, Any]]:
        async with self.projections.transaction() as conn:
            rows = (await conn.execute(select(sms_outbox))).mappings().all()
        return {row["notification_id"]: dict(row) for row in rows}

    async def notices(self) -> list[dict[str, Any]]:
        async with self.projections.transaction() as conn:
            query = select(work_notices).order_by(work_notices.c.row_no, work_notices.c.kind)
            return [dict(row) for row in (await conn.execute(query)).mappings().all()]

    async def types(self, stream_id: str) -> list[str]:
        return [record.event_type for record in await self.store.read_stream(stream_id)]

    async def get(self, path: str, who: str) -> httpx.Response:
        return await self.client.get(path, headers=headers(who))


async def _feed(
    spec: Any,
    projections: ProjectionDatabase,
    codec: EventCodec,
    publisher: MemoryPublisher,
    store: MemoryEventStore,
) -> Feed:
    consumer = IdempotentConsumer(
        spec=spec,
        database=projections,
        codec=codec,
        dead_letters=DeadLetterSink(publisher=publisher, store=store),
        max_attempts=1,
        backoff=lambda _: 0.0,
    )
    await consumer.create_tables()
    return Feed(consumer)


@asynccontextmanager
async def notify_world(
    tmp_path: Path,
    *,
    now: datetime = PAID_AT,
    store: MemoryEventStore | None = None,
    projections: ProjectionDatabase | None = None,
    database: str = "notify.db",
    **settings: Any,
) -> AsyncIterator[NotifyWorld]:
    """The service as ``onecard serve notify`` wires it (with ``settings``), at ``now``; on a
    SQLite projection file unless one is given (closed here either way). Pass a ``store`` to
    rebuild a second world on the first one's log."""
    spool = tmp_path / "spool"
    config = Settings(data_dir=tmp_path, notify_spool_dir=spool, **settings)
    store = store if store is not None else MemoryEventStore()
    codec = EventCodec(registry=EVENTS, cipher=make_cipher(config))
    if projections is None:
        projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/{database}")
    clock = AdjustableClock(start=now)
    built = build(ServiceDeps(config, store, codec, projections, clock))
    publisher = MemoryPublisher()
    phones, payments = [
        await _feed(spec, projections, codec, publisher, store) for spec in built.consumers
    ]
    await projections.create_tables(TABLES)
    transport = httpx.ASGITransport(app=built.http, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
        yield NotifyWorld(
            built, store, codec, clock, projections, phones, payments, publisher, client, spool
        )
    for close in built.closers:
        await close()
    await projections.close()
