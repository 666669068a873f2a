"""The publicity service with every consumer it runs, on the memory store and a SQLite
projection, fed like production: the registry's, approval's and payout's events are appended
to the store and handed to each consumer as the relay would publish them. The SMS spool is
the real file sender's; an adjustable clock; requests from any client address."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from contracts.base import Event
from contracts.envelope import Actor, new_envelope, new_event_id
from contracts.events import (
    EVENTS,
    BatchApproved,
    BeneficiaryRegistered,
    PaymentFailed,
    PaymentInstructed,
    PaymentSucceeded,
    ReturnedToTreasury,
    RosterRowsSubmitted,
)
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
from tests.unit.notice_harness import TOWNSHIP, Person, roster, submitted_row

CLERK = Actor(user_id="u-clerk", role="township_operator", jurisdiction_code=TOWNSHIP)
VILLAGE = f"{TOWNSHIP}001"
BANK = Actor(user_id="u-bank", role="bank_connector", jurisdiction_code=TOWNSHIP[:6])


def headers(user: str, role: str, jurisdiction: str) -> dict[str, str]:
    return {
        "X-Onecard-User": user,
        "X-Onecard-Role": role,
        "X-Onecard-Jurisdiction": jurisdiction,
    }


OPERATOR = headers("u-op", "township_operator", TOWNSHIP)
SUPERVISOR = headers("u-sup", "supervisor", "650000")
FAR_OPERATOR = headers("u-far", "township_operator", "650103001")


@dataclass
class Feed:
    consumer: IdempotentConsumer
    delivered: int = 0
    offsets: dict[str, int] = field(default_factory=dict)


@dataclass
class DisclosureWorld:
    parts: ServiceParts
    store: MemoryEventStore
    codec: EventCodec
    clock: AdjustableClock
    projections: ProjectionDatabase
    feeds: list[Feed]
    publisher: MemoryPublisher
    spool: Path
    transport_app: Any
    client: httpx.AsyncClient

    async def append(self, stream: str, events: Sequence[Event], *, actor: Actor = CLERK) -> None:
        at, correlation = self.clock.now(), uuid.uuid4()
        stored = [
            self.codec.encode(
                new_envelope(
                    event,
                    event_id=new_event_id(at),
                    stream_id=stream,
                    occurred_at=at,
                    actor=actor,
                    correlation_id=correlation,
                )
            )
            for event in events
        ]
        await self.store.append(stream, stored, expected_version=ANY_VERSION)

    async def deliver(self) -> None:
        """Everything stored since the last delivery, to every consumer (and their reactions)."""
        for _ in range(3):
            for feed in self.feeds:
                feed.delivered = await deliver_stored(
                    self.store,
                    feed.consumer,
                    after=feed.delivered,
                    offsets=feed.offsets,
                    publisher=self.publisher,
                    what=feed.consumer.spec.name,
                )

    async def register(
        self, number: int, person: Person, *, household: str = "h-1", phone: str | None = None
    ) -> str:
        beneficiary_id = f"b-{number}"
        event = BeneficiaryRegistered(
            beneficiary_id=beneficiary_id,
            citizen_id=person.citizen_id,
            name=person.name,
            village_code=VILLAGE,
            household_id=household,
            phone=person.phone if phone is None else phone,
        )
        await self.append(f"beneficiary-{beneficiary_id}", [event])
        return beneficiary_id

    async def submit(
        self, people: Sequence[Person], *, roster_id: str = "r-1", confidential: bool = False
    ) -> None:
        submitted = roster(roster_id, rows=len(people), confidential=confidential)
        rows = tuple(submitted_row(n, person) for n, person in enumerate(people, start=1))
        part = RosterRowsSubmitted(roster_id=roster_id, submission_no=1, part=1, rows=rows)
        await self.append(f"roster-{roster_id}", [part, submitted])

    async def approve(self, roster_id: str, rows: int, *, total_fen: int) -> None:
        approved = BatchApproved(
            roster_id=roster_id,
            round_id="2025-1",
            submission_no=1,
            programme_code="GDLS",
            township_code=TOWNSHIP,
            approved_row_count=rows,
            total_fen=total_fen,
            levels=("u-a", "u-b", "u-c"),
        )
        await self.append(f"approval-{roster_id}", [approved])

    async def pay(
        self,
        roster_id: str,
        row_no: int,
        person: Person,
        *,
        outcome: str = "paid",
        paid_on: date = date(2025, 7, 1),
    ) -> None:
        """The row's instruction and the bank's answer: ``paid``, ``failed`` or ``returned``."""
        instructed = _instructed(roster_id, row_no, person)
        answer: list[Event] = []
        if outcome == "paid":
            answer = [_succeeded(instructed, paid_on)]
        elif outcome in {"failed", "returned"}:
            answer = [_failed(instructed)]
            if outcome == "returned":
                answer.append(_returned(instructed))
        await self.append(f"payment-{roster_id}-{row_no}", [instructed, *answer], actor=BANK)

    def sms(self) -> list[dict[str, Any]]:
        """Every SMS spooled so far, oldest first."""
        lines: list[dict[str, Any]] = []
        for path in sorted(self.spool.glob("sms-*.jsonl")):
            lines += [orjson.loads(line) for line in path.read_bytes().splitlines()]
        return lines

    @asynccontextmanager
    async def from_address(self, address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=self.transport_app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://publicity") as client:
            yield client


def _instructed(roster_id: str, row_no: int, person: Person) -> PaymentInstructed:
    return PaymentInstructed(
        instruction_id=f"{roster_id}:{row_no}:1",
        roster_id=roster_id,
        row_no=row_no,
        attempt=1,
        batch_id=f"pb-{roster_id}",
        round_id="2025-1",
        programme_code="GDLS",
        programme_name="耕地地力保护补贴",
        township_code=TOWNSHIP,
        village_code=VILLAGE,
        beneficiary_id=f"b-{row_no}",
        name=person.name,
        bank_code="ABC",
        account_no=person.account_no,
        amount_fen=61_725,
        because="approved",
    )


def _succeeded(instructed: PaymentInstructed, paid_on: date) -> PaymentSucceeded:
    return PaymentSucceeded(
        instruction_id=instructed.instruction_id,
        roster_id=instructed.roster_id,
        row_no=instructed.row_no,
        attempt=1,
        beneficiary_id=instructed.beneficiary_id,
        township_code=TOWNSHIP,
        programme_code="GDLS",
        programme_name=instructed.programme_name,
        bank_code="ABC",
        amount_fen=instructed.amount_fen,
        bank_reference=f"B-{instructed.instruction_id}",
        value_date=paid_on,
    )


def _failed(instructed: PaymentInstructed) -> PaymentFailed:
    return PaymentFailed(
        instruction_id=instructed.instruction_id,
        roster_id=instructed.roster_id,
        row_no=instructed.row_no,
        attempt=1,
        beneficiary_id=instructed.beneficiary_id,
        township_code=TOWNSHIP,
        programme_code="GDLS",
        bank_code="ABC",
        amount_fen=instructed.amount_fen,
        reason_code="account_closed",
        reason_text="账户已销户",
        retryable=False,
    )


def _returned(instructed: PaymentInstructed) -> ReturnedToTreasury:
    return ReturnedToTreasury(
        roster_id=instructed.roster_id,
        row_no=instructed.row_no,
        round_id="2025-1",
        beneficiary_id=instructed.beneficiary_id,
        township_code=TOWNSHIP,
        programme_code="GDLS",
        amount_fen=instructed.amount_fen,
        last_instruction_id=instructed.instruction_id,
        reason_code="account_closed",
        reason_text="账户已销户",
    )


@asynccontextmanager
async def disclosure_world(
    tmp_path: Path,
    *,
    now: datetime,
    store: MemoryEventStore | None = None,
    projections: ProjectionDatabase | None = None,
) -> AsyncIterator[DisclosureWorld]:
    """The service as ``onecard serve publicity`` wires it, every consumer fed, at ``now``;
    on a SQLite projection file unless ``projections`` is given."""
    settings = Settings(data_dir=tmp_path, notice_reporting_address="红星乡政府一楼纪检室")
    store = store if store is not None else MemoryEventStore()
    codec = EventCodec(registry=EVENTS, cipher=make_cipher(settings))
    if projections is None:
        projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/publicity.db")
    clock = AdjustableClock(start=now)
    parts = build(ServiceDeps(settings, store, codec, projections, clock))
    publisher = MemoryPublisher()
    feeds = [
        Feed(_consumer(spec, projections, codec, publisher, store)) for spec in parts.consumers
    ]
    await projections.create_tables(TABLES)
    for feed in feeds:
        await feed.consumer.create_tables()
    transport = httpx.ASGITransport(app=parts.http, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://publicity") as client:
        yield DisclosureWorld(
            parts,
            store,
            codec,
            clock,
            projections,
            feeds,
            publisher,
            tmp_path / "sms-spool",
            parts.http,
            client,
        )
    await projections.close()


def _consumer(
    spec: Any,
    projections: ProjectionDatabase,
    codec: EventCodec,
    publisher: MemoryPublisher,
    store: MemoryEventStore,
) -> IdempotentConsumer:
    return IdempotentConsumer(
        spec=spec,
        database=projections,
        codec=codec,
        dead_letters=DeadLetterSink(publisher=publisher, store=store),
        max_attempts=1,
        backoff=lambda _: 0.0,
    )
