"""The payout service on the memory store and a SQLite projection, fed like production: the
registry's and approval's events are appended to the store, turned into bus messages and
handed to the service's own consumer, whose events go round the same way; the bank connector's
application functions are called as its entrypoints will call them; an adjustable clock."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

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
from services.payout.adapters.tables import TABLES
from services.payout.application.pending import PendingBatch, pending_batches
from services.payout.application.reads import ReadContext
from services.payout.application.results import ResultAnswer, apply_result
from services.payout.bootstrap import build
from services.payout.domain.results import BankResult
from services.payout.entrypoints.http import PayoutApp
from tests.unit.consumer_harness import deliver_stored
from tests.unit.payout_samples import (
    AMOUNTS,
    BANK_CONNECTOR,
    BANKS,
    approval,
    context,
    headers,
    parts,
    terms,
)

CLERK = Actor(user_id="u-clerk", role="township_operator", jurisdiction_code="650102001")


@dataclass
class PayoutWorld:
    parts: ServiceParts
    payout: PayoutApp
    store: MemoryEventStore
    bus_codec: EventCodec
    clock: AdjustableClock
    consumer: IdempotentConsumer
    publisher: MemoryPublisher
    client: httpx.AsyncClient
    delivered: int = 0
    offsets: dict[str, int] = field(default_factory=dict)

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

    async def submit_and_approve(
        self,
        *,
        per_part: int = 1000,
        amounts: Sequence[int] = AMOUNTS,
        banks: Sequence[str] = BANKS,
    ) -> None:
        """A roster's submission (rows, then terms) and its approval, delivered."""
        rows = parts(per_part=per_part, amounts=amounts, banks=banks)
        await self.publish("roster-r-1", *rows, terms(part_count=len(rows), amounts=amounts))
        await self.publish("approval-r-1", approval(amounts=amounts))
        await self.deliver()

    async def deliver(self) -> None:
        """Everything stored since the last delivery that the consumer reads, until its own
        events are delivered too; fails on any dead letter."""
        self.delivered = await deliver_stored(
            self.store,
            self.consumer,
            after=self.delivered,
            offsets=self.offsets,
            publisher=self.publisher,
            what="a payout input",
        )

    async def answer(self, result: BankResult, *, actor: Actor = BANK_CONNECTOR) -> ResultAnswer:
        """The bank connector applying one answer, as its entrypoints will."""
        return await apply_result(
            store=self.store,
            codec=self.payout.codec,
            cipher=self.payout.cipher,
            projections=self.payout.projections,
            result=result,
            context=context(actor, self.clock.now()),
        )

    async def pending(self, bank_code: str = "ABC") -> list[PendingBatch]:
        """What the bank connector hands the bank now (its read logged)."""
        read = ReadContext(
            actor=BANK_CONNECTOR,
            at=self.clock.now(),
            correlation_id=uuid.uuid4(),
            route="GET /bank/batches",
        )
        return await pending_batches(
            store=self.store,
            projections=self.payout.projections,
            cipher=self.payout.cipher,
            read_context=read,
            bank_code=bank_code,
        )

    async def types(self, stream_id: str) -> list[str]:
        return [record.event_type for record in await self.store.read_stream(stream_id)]

    async def get(self, path: str, who: str) -> httpx.Response:
        return await self.client.get(path, headers=headers(who))

    async def post(self, path: str, who: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(path, headers=headers(who), json=body)

    async def put(self, path: str, who: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.put(path, headers=headers(who), json=body)

    def advance_to(self, moment: datetime) -> None:
        self.clock.advance(moment - self.clock.now())


@asynccontextmanager
async def payout_world(
    tmp_path: Path,
    *,
    now: datetime,
    max_attempts: int = 1,
    projections: ProjectionDatabase | None = None,
) -> AsyncIterator[PayoutWorld]:
    """The service as ``onecard serve payout`` wires it, at ``now`` (aware); on a SQLite
    projection unless one is given (closed here either way)."""
    settings = Settings(data_dir=tmp_path)
    store = MemoryEventStore()
    codec = EventCodec(registry=EVENTS, cipher=make_cipher(settings))
    if projections is None:
        projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/payout.db")
    clock = AdjustableClock(start=now)
    built = build(ServiceDeps(settings, store, codec, projections, clock))
    publisher = MemoryPublisher()
    consumer = IdempotentConsumer(
        spec=built.consumers[0],
        database=projections,
        codec=codec,
        dead_letters=DeadLetterSink(publisher=publisher, store=store),
        max_attempts=max_attempts,
        backoff=lambda _: 0.0,
    )
    await projections.create_tables(TABLES)
    await consumer.create_tables()
    transport = httpx.ASGITransport(app=built.http, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://payout") as client:
        yield PayoutWorld(
            built, built.http.state.payout, store, codec, clock, consumer, publisher, client
        )
    await projections.close()
