"""The approval consumer as the runtime runs it (an IdempotentConsumer over bus messages made
from stored events, on the projection database): the registry's and publicity's events open an
approval whichever topic delivers first, a redelivered batch appends nothing, and the
approval's own decisions coming back over the bus keep the pending work current."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from contracts.base import Event
from contracts.events import EVENTS
from infra.bus.consumed import ConsumedMessage
from infra.bus.consumer import IdempotentConsumer
from infra.bus.dead_letter import DeadLetterSink
from infra.bus.messages import to_message
from infra.bus.publisher import MemoryPublisher
from infra.clock import AdjustableClock
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.eventstore.port import ANY_VERSION, RecordedEvent
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from services.approval.application.projection import project_approval
from services.approval.application.streams import read_approval
from services.approval.bootstrap import build
from services.approval.domain.events import APPROVAL_EVENTS
from tests.conftest import POSTGRES_URL, postgres_admin
from tests.unit.approval_samples import completed, headers, submission
from tests.unit.asgi import request
from tests.unit.contract_samples import envelope_of, memory_cipher

CODEC = EventCodec(registry=EVENTS, cipher=memory_cipher())


@dataclass
class Runtime:
    app: FastAPI
    store: MemoryEventStore
    consumer: IdempotentConsumer
    projections: ProjectionDatabase
    offset: int = 0

    async def publish(self, stream_id: str, *events: Event) -> list[ConsumedMessage]:
        """Store the events (as their owning service would) and return their bus messages."""
        encoded = [CODEC.encode(envelope_of(event, stream_id=stream_id)) for event in events]
        result = await self.store.append(stream_id, encoded, expected_version=ANY_VERSION)
        records = await self.store.read_all(after=result.first_position - 1)
        return self.messages(records)

    def messages(self, records: Sequence[RecordedEvent]) -> list[ConsumedMessage]:
        found = []
        for record in records:
            message = to_message(record)
            if message is not None:
                self.offset += 1
                found.append(
                    ConsumedMessage(
                        message.topic, 0, self.offset, message.key, message.value, message.headers
                    )
                )
        return found

    async def approval_types(self) -> list[str]:
        return [r.event_type for r in await self.store.read_stream("approval-r-1")]

    async def work(self, who: str) -> list[dict[str, object]]:
        answer = await request(self.app, "GET", "/work", headers=headers(who))
        items: list[dict[str, object]] = answer.json()["items"]
        return items


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def projections(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[ProjectionDatabase]:
    if request.param == "sqlite":
        database = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/approval.db")
        yield database
        await database.close()
        return
    admin = await postgres_admin()
    schema = f"t_{uuid.uuid4().hex}"
    database = await ProjectionDatabase.open(POSTGRES_URL, schema=schema)
    try:
        yield database
    finally:
        await database.close()
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


@pytest.fixture
async def runtime(tmp_path: Path, projections: ProjectionDatabase) -> Runtime:
    store = MemoryEventStore()
    clock = AdjustableClock(start=datetime(2025, 9, 30, 1, tzinfo=UTC))
    parts = build(ServiceDeps(Settings(data_dir=tmp_path), store, CODEC, projections, clock))
    consumer = IdempotentConsumer(
        spec=parts.consumers[0],
        database=projections,
        codec=CODEC,
        dead_letters=DeadLetterSink(publisher=MemoryPublisher(), store=store),
        backoff=lambda _: 0.0,
    )
    await consumer.create_tables()
    return Runtime(parts.http, store, consumer, projections)


@pytest.mark.parametrize("notice_first", [True, False], ids=["notice-first", "roster-first"])
async def test_an_approval_opens_whichever_topic_delivers_first(
    runtime: Runtime, notice_first: bool
) -> None:
    part, totals = submission()
    roster = await runtime.publish("roster-r-1", part, totals)
    notice = await runtime.publish("notice-r-1", completed())
    for batch in (notice, roster) if notice_first else (roster, notice):
        await runtime.consumer.handle_batch(batch)
    types = await runtime.approval_types()
    assert types.count("ApprovalOpened") == 1
    assert [i["roster_id"] for i in await runtime.work("auditor")] == ["r-1"]

    await runtime.consumer.handle_batch([*roster, *notice])  # redelivered
    assert await runtime.approval_types() == types


async def test_a_redelivered_cause_appends_nothing_even_when_its_inbox_record_was_lost(
    runtime: Runtime,
) -> None:
    """The store append and the inbox commit are separate: a crash between them redelivers
    the message to a consumer that has no record of it; the stream already has the effect."""
    part, totals = submission()
    messages = [
        *await runtime.publish("roster-r-1", part, totals),
        *await runtime.publish("notice-r-1", completed()),
    ]
    await runtime.consumer.handle_batch(messages)
    types = await runtime.approval_types()
    async with runtime.projections.transaction() as conn:
        await runtime.consumer.spec.handler(
            conn,
            [
                CODEC.decode(r)
                for r in await runtime.store.read_all()
                if r.stream_id != "approval-r-1"
            ],
        )
    assert await runtime.approval_types() == types


async def test_decisions_coming_back_over_the_bus_keep_pending_work_current(
    runtime: Runtime,
) -> None:
    part, totals = submission()
    await runtime.consumer.handle_batch(
        [
            *await runtime.publish("roster-r-1", part, totals),
            *await runtime.publish("notice-r-1", completed()),
        ]
    )
    head = await runtime.store.head_position()
    answer = await request(
        runtime.app, "POST", "/approvals/r-1/approve", headers=headers("auditor"), json_body={}
    )
    assert answer.status == 200
    decisions = runtime.messages(await runtime.store.read_all(after=head))
    assert [m.topic for m in decisions] == ["onecard.approval.rosters"]
    await runtime.consumer.handle_batch(decisions)
    assert await runtime.work("auditor") == []
    assert [i["level"] for i in await runtime.work("reviewer")] == [2]


async def test_an_older_refresh_never_overwrites_a_newer_one(runtime: Runtime) -> None:
    part, totals = submission()
    await runtime.consumer.handle_batch(
        [
            *await runtime.publish("roster-r-1", part, totals),
            *await runtime.publish("notice-r-1", completed()),
        ]
    )
    codec = EventCodec(registry=APPROVAL_EVENTS, cipher=memory_cipher())
    older = await read_approval(runtime.store, codec, "r-1")
    await request(
        runtime.app, "POST", "/approvals/r-1/approve", headers=headers("auditor"), json_body={}
    )
    async with runtime.projections.transaction() as conn:
        await project_approval(conn, older)
    assert await runtime.work("auditor") == []
    assert [i["level"] for i in await runtime.work("reviewer")] == [2]
