"""The publicity service on the memory store and a SQLite projection, fed like production: the
registry's events are appended to the store, turned into bus messages and handed to the
service's own consumer, whose notice events go round the same way; an adjustable clock."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from contracts.envelope import Actor, new_envelope, new_event_id
from contracts.events import EVENTS, RosterRowsSubmitted, RosterSubmitted, SubmittedRow
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
from services.publicity.adapters.tables import TABLES
from services.publicity.bootstrap import build
from tests.unit.consumer_harness import deliver_stored

TOWNSHIP = "650102001"
CLERK = Actor(user_id="u-clerk", role="township_operator", jurisdiction_code=TOWNSHIP)
OFFICIAL = {
    "X-Onecard-User": "u-auditor",
    "X-Onecard-Role": "township_finance_auditor",
    "X-Onecard-Jurisdiction": TOWNSHIP,
}
ADMIN = {"X-Onecard-User": "u-admin", "X-Onecard-Role": "system_administrator"}


@dataclass(frozen=True)
class Person:
    name: str
    citizen_id: str
    account_no: str
    phone: str = "13912345678"


def submitted_row(row_no: int, person: Person, *, village: str = "红星村一组") -> SubmittedRow:
    return SubmittedRow(
        row_no=row_no,
        beneficiary_id=f"b-{row_no}",
        citizen_id=person.citizen_id,
        name=person.name,
        village_code=f"{TOWNSHIP}001",
        village=village,
        quantity=Decimal("12.5"),
        standard_fen=4_938,
        amount_fen=61_725,
        bank_code="ABC",
        account_no=person.account_no,
    )


def roster(
    roster_id: str = "r-1",
    *,
    rows: int = 1,
    submission_no: int = 1,
    confidential: bool = False,
    working_days: int = 5,
    programme_name: str = "耕地地力保护补贴",
) -> RosterSubmitted:
    return RosterSubmitted(
        roster_id=roster_id,
        programme_code="GDLS",
        township_code=TOWNSHIP,
        round_id="2025-1",
        row_count=rows,
        total_fen=61_725 * rows,
        submission_no=submission_no,
        parts=1,
        prepared_by=("u-clerk",),
        programme_version=1,
        programme_name=programme_name,
        notice_working_days=working_days,
        confidential=confidential,
        township_name="红星乡",
    )


@dataclass
class NoticeWorld:
    parts: ServiceParts
    store: MemoryEventStore
    codec: EventCodec
    clock: AdjustableClock
    consumer: IdempotentConsumer
    publisher: MemoryPublisher
    client: httpx.AsyncClient
    delivered: int = 0
    offsets: dict[str, int] = field(default_factory=dict)

    async def submit(
        self, submitted: RosterSubmitted, people: Sequence[Person], *, at: datetime
    ) -> None:
        """The registry's submission (rows, then the roster, in one append), delivered."""
        rows = tuple(submitted_row(n, person) for n, person in enumerate(people, start=1))
        part = RosterRowsSubmitted(
            roster_id=submitted.roster_id,
            submission_no=submitted.submission_no,
            part=1,
            rows=rows,
        )
        stream = f"roster-{submitted.roster_id}"
        correlation = uuid.uuid4()
        envelopes = [
            new_envelope(
                event,
                event_id=new_event_id(at),
                stream_id=stream,
                occurred_at=at,
                actor=CLERK,
                correlation_id=correlation,
            )
            for event in (part, submitted)
        ]
        stored = [self.codec.encode(envelope) for envelope in envelopes]
        await self.store.append(stream, stored, expected_version=ANY_VERSION)
        await self.deliver()

    async def deliver(self) -> None:
        """Everything stored since the last delivery that the notice board consumes, until
        the consumer's own reactions are delivered too; fails on any dead letter."""
        self.delivered = await deliver_stored(
            self.store,
            self.consumer,
            after=self.delivered,
            offsets=self.offsets,
            publisher=self.publisher,
            what="a notice event",
        )

    async def tick(self) -> None:
        """One run of the notice clock, its events delivered."""
        ticker = next(t for t in self.parts.tickers if t.name == "publicity-notice-clock")
        await ticker.run()
        await self.deliver()

    def advance_to(self, moment: datetime) -> None:
        self.clock.advance(moment - self.clock.now())

    async def page(self, path: str) -> httpx.Response:
        return await self.client.get(path)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.post(path, **kwargs)


@asynccontextmanager
async def notice_world(
    tmp_path: Path, *, now: datetime, client_address: str = "203.0.113.7"
) -> AsyncIterator[NoticeWorld]:
    """The service as ``onecard serve publicity`` wires it, at ``now`` (aware)."""
    settings = Settings(data_dir=tmp_path, notice_reporting_address="红星乡政府一楼纪检室")
    store = MemoryEventStore()
    codec = EventCodec(registry=EVENTS, cipher=make_cipher(settings))
    projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/publicity.db")
    clock = AdjustableClock(start=now)
    parts = build(ServiceDeps(settings, store, codec, projections, clock))
    spec = next(c for c in parts.consumers if c.name == "publicity-notice-board")
    publisher = MemoryPublisher()
    consumer = IdempotentConsumer(
        spec=spec,
        database=projections,
        codec=codec,
        dead_letters=DeadLetterSink(publisher=publisher, store=store),
        max_attempts=1,
        backoff=lambda _: 0.0,
    )
    await projections.create_tables(TABLES)
    await consumer.create_tables()
    transport = httpx.ASGITransport(app=parts.http, client=(client_address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://publicity") as client:
        yield NoticeWorld(parts, store, codec, clock, consumer, publisher, client)
    await projections.close()


def china(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment in China time, as the aware UTC instant the clock holds."""
    return datetime(year, month, day, hour, tzinfo=UTC) - timedelta(hours=8)


def with_check_digit(body: str) -> str:
    """A GB 11643 citizen ID from its first 17 digits."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


ZHANG = Person("张三丰", with_check_digit("65010219800101123"), "6217000012345678901")
WANG = Person("王五", with_check_digit("65010219751231004"), "6228480012345678")
AYGUL = Person("阿依古丽·买买提", with_check_digit("65010220010615262"), "6230520011112222333")
