"""A roster sent back by approval or halted on its notice is reopened for its makers: through
the registry's consumer, once however often the message comes, never for an older submission,
and the next submission is numbered one higher."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.base import Event
from contracts.envelope import Actor, Envelope, new_envelope, new_event_id
from contracts.events import EVENTS, PublicNoticeHalted, RosterSentBack, RosterSubmitted
from infra.bus.consumed import ConsumedMessage
from infra.bus.consumer import IdempotentConsumer
from infra.bus.dead_letter import DeadLetterSink
from infra.bus.messages import to_message
from infra.bus.publisher import MemoryPublisher
from infra.clock import AdjustableClock
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.eventstore.port import ANY_VERSION
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from services.registry.application.roster_commands import load_roster, remove_row
from services.registry.application.roster_returns import returns_handler
from services.registry.application.roster_submission import submit_roster
from services.registry.application.rows_to_fix import rows_to_fix
from services.registry.bootstrap import build
from services.registry.domain.events import REGISTRY_EVENTS, RosterReturned
from services.registry.domain.roster import RemoveRow
from tests.unit import registry_world as world
from tests.unit.contract_samples import memory_cipher

CIPHER = memory_cipher()
CODEC = EventCodec(registry=REGISTRY_EVENTS, cipher=CIPHER)
APPROVER = Actor(user_id="u-finance", role="county_finance_officer", jurisdiction_code="650102")
NOW = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)


def sent_back(submission_no: int, *row_nos: int) -> Envelope[Event]:
    event = RosterSentBack(
        roster_id="r-1",
        submission_no=submission_no,
        level=3,
        role="county_finance_officer",
        decided_by="u-finance",
        reasons=("第2行面积与确权面积不符",),
        row_nos=row_nos,
    )
    return _envelope(event, "approval-r-1")


def halted(submission_no: int, *row_nos: int) -> Envelope[Event]:
    event = PublicNoticeHalted(
        roster_id="r-1", submission_no=submission_no, row_nos=row_nos, findings=("已迁出本村",)
    )
    return _envelope(event, "notice-r-1")


def _envelope(event: Event, stream_id: str) -> Envelope[Event]:
    return new_envelope(
        event,
        event_id=new_event_id(NOW),
        stream_id=stream_id,
        occurred_at=NOW,
        actor=APPROVER,
        correlation_id=uuid.uuid4(),
    )


@pytest.fixture
async def store() -> MemoryEventStore:
    """r-1 with rows 1 and 2, submitted once."""
    store = MemoryEventStore()
    await world.catalogue(store, CODEC)
    for n in (1, 2):
        await world.person(store, CODEC, CIPHER, n, "650102001001")
    clerk = await world.roster(store, CODEC, "r-1", "650102001", world.row(1, 1), world.row(2, 2))
    await submit_roster(store=store, codec=CODEC, roster_id="r-1", context=world.context(clerk))
    return store


async def deliver(store: MemoryEventStore, *envelopes: Envelope[Event]) -> None:
    handler = returns_handler(store=store, codec=CODEC, clock=AdjustableClock(start=NOW))
    await handler(None, list(envelopes))  # type: ignore[arg-type]  # the reaction uses no table


async def returns(store: MemoryEventStore) -> list[Envelope[Event]]:
    envelopes = [CODEC.decode(r) for r in await store.read_stream("roster-r-1")]
    return [e for e in envelopes if isinstance(e.event, RosterReturned)]


async def test_a_send_back_reopens_the_roster_with_the_rows_it_names_rejected(store) -> None:
    cause = sent_back(1, 2)
    await deliver(store, cause)
    state, _ = await load_roster(store, CODEC, "r-1")
    assert state is not None
    assert (state.status, state.submissions) == ("returned", 1)
    assert (state.rows[1].verdict, state.rows[2].verdict) == ("accepted", "rejected")
    (returned,) = await returns(store)
    assert returned.event == RosterReturned(
        roster_id="r-1",
        submission_no=1,
        by="approval",
        reasons=("第2行面积与确权面积不符",),
        row_nos=(2,),
    )
    assert returned.actor == Actor.system("registry")
    assert (returned.causation_id, returned.correlation_id) == (
        cause.event_id,
        cause.correlation_id,
    )


async def test_the_returned_row_is_among_the_rows_to_fix_with_the_reason(store) -> None:
    await deliver(store, halted(1, 2))
    ((line, findings),) = await rows_to_fix(store, CODEC, "r-1")
    assert line.line_no == 2
    assert findings[-1].rule == "objection_upheld"
    assert "已迁出本村" in findings[-1].message


async def test_the_same_message_twice_appends_nothing_the_second_time(store) -> None:
    cause = sent_back(1, 2)
    await deliver(store, cause)
    after_first = await store.head_position()
    await deliver(store, cause)
    assert await store.head_position() == after_first
    assert len(await returns(store)) == 1


async def test_after_correction_the_roster_is_submitted_again_with_the_next_number(store) -> None:
    await deliver(store, sent_back(1, 2))
    clerk = Actor(user_id="u-fix", role="township_operator", jurisdiction_code="650102001")
    await remove_row(
        store=store,
        codec=CODEC,
        command=RemoveRow("r-1", 2, "退回后删除"),
        context=world.context(clerk),
    )
    await submit_roster(store=store, codec=CODEC, roster_id="r-1", context=world.context(clerk))
    envelopes = [CODEC.decode(r) for r in await store.read_stream("roster-r-1")]
    submissions = [e.event for e in envelopes if isinstance(e.event, RosterSubmitted)]
    assert [(s.submission_no, s.row_count) for s in submissions] == [(1, 2), (2, 1)]
    assert "u-fix" in submissions[-1].prepared_by


async def test_a_send_back_or_halt_of_an_older_submission_is_ignored(store) -> None:
    await deliver(store, sent_back(1))
    clerk = Actor(user_id="u-clerk", role="township_operator", jurisdiction_code="650102001")
    await submit_roster(store=store, codec=CODEC, roster_id="r-1", context=world.context(clerk))
    before = await store.head_position()
    await deliver(store, halted(1, 1), sent_back(1, 2))
    assert await store.head_position() == before
    state, _ = await load_roster(store, CODEC, "r-1")
    assert state is not None
    assert (state.status, state.submissions) == ("submitted", 2)


async def test_the_registry_consumer_reopens_a_roster_from_the_approval_topic(
    tmp_path: Path,
) -> None:
    store = MemoryEventStore()
    projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/p.db")
    parts = build(ServiceDeps(Settings(data_dir=tmp_path), store, CODEC, projections))
    (spec,) = [c for c in parts.consumers if c.name == "registry-roster-returns"]
    assert set(spec.topics) == {"onecard.approval.rosters", "onecard.publicity.notices"}
    registry = parts.http.state.registry  # the service's own codec and keys
    await world.catalogue(store, registry.codec)
    for n in (1, 2):
        await world.person(store, registry.codec, registry.index, n, "650102001001")
    rows = (world.row(1, 1), world.row(2, 2))
    clerk = await world.roster(store, registry.codec, "r-1", "650102001", *rows)
    await submit_roster(
        store=store, codec=registry.codec, roster_id="r-1", context=world.context(clerk)
    )
    contracts = EventCodec(registry=EVENTS, cipher=registry.index)
    bus = MemoryEventStore()
    for envelope in (sent_back(1, 1), halted(1, 2)):
        stored = contracts.encode(envelope)
        await bus.append(envelope.stream_id, [stored], expected_version=ANY_VERSION)
    messages = []
    for offset, record in enumerate(await bus.read_all()):
        message = to_message(record)
        assert message is not None
        messages.append(
            ConsumedMessage(message.topic, 0, offset, message.key, message.value, message.headers)
        )
    consumer = IdempotentConsumer(
        spec=spec,
        database=projections,
        codec=contracts,
        dead_letters=DeadLetterSink(publisher=MemoryPublisher(), store=bus),
        backoff=lambda _: 0.0,
    )
    await consumer.create_tables()
    await consumer.handle_batch(messages)
    await consumer.handle_batch(messages)
    envelopes = [registry.codec.decode(r) for r in await store.read_stream("roster-r-1")]
    returned = [e.event for e in envelopes if isinstance(e.event, RosterReturned)]
    assert [r.by for r in returned] == ["approval", "objection"]
    state, _ = await load_roster(store, registry.codec, "r-1")
    assert state is not None
    assert (state.rows[1].verdict, state.rows[2].verdict) == ("rejected", "rejected")
    assert await bus.read_stream("deadletter-registry-roster-returns") == []
    await projections.close()
