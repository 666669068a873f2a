"""The query log (000 art.20 查询日志化管理): every read of personal data is stored, per user
and day, by ids only, before it is answered; a refused or failed read answers nothing."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from contracts.envelope import Actor
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.eventstore.port import AppendResult, NewEvent
from infra.identity.query_log import PersonalDataRead, reads_of, record_read
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from services.registry.bootstrap import build
from services.registry.domain.events import REGISTRY_EVENTS
from tests.unit import registry_world as world
from tests.unit.asgi import request
from tests.unit.contract_samples import memory_cipher

CLERK = Actor(user_id="u-clerk", role="township_operator", jurisdiction_code="650102001")
HEADERS = {
    "X-Onecard-User": "u-clerk",
    "X-Onecard-Role": "township_operator",
    "X-Onecard-Jurisdiction": "650102001",
}
EVENING = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 01:30 on 2 March in China


async def test_a_read_is_stored_in_the_users_stream_of_the_day_in_china() -> None:
    store = MemoryEventStore()
    await record_read(
        store=store,
        actor=CLERK,
        kind="beneficiary",
        subject_ids=["b-1"],
        route="GET /beneficiaries/{beneficiary_id}",
        at=EVENING,
        correlation_id=uuid.uuid4(),
        client_address="10.0.0.7",
    )
    (record,) = await store.read_stream("querylog-u-clerk-20260302")
    assert record.event_type == "PersonalDataRead"
    (read,) = await reads_of(store=store, user_id="u-clerk", day=EVENING)
    assert read.actor == CLERK
    assert read.event == PersonalDataRead(
        kind="beneficiary",
        subject_ids=("b-1",),
        route="GET /beneficiaries/{beneficiary_id}",
        client_address="10.0.0.7",
    )


async def test_reads_at_the_same_moment_never_refuse_each_other() -> None:
    store = MemoryEventStore()

    async def read(n: int) -> None:
        await record_read(
            store=store,
            actor=CLERK,
            kind="beneficiary",
            subject_ids=[f"b-{n}"],
            route="GET /beneficiaries/{beneficiary_id}",
            at=EVENING,
            correlation_id=uuid.uuid4(),
        )

    await asyncio.gather(*(read(n) for n in range(20)))
    reads = await reads_of(store=store, user_id="u-clerk", day=EVENING)
    assert sorted(r.event.subject_ids[0] for r in reads) == sorted(f"b-{n}" for n in range(20))  # type: ignore[attr-defined]


def test_an_entry_has_no_field_for_personal_data() -> None:
    schema = json.dumps(PersonalDataRead.model_json_schema())
    assert "x-pii" not in schema


class FailingLog(MemoryEventStore):
    """A store whose query log is down: every other stream works."""

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], *, expected_version: int
    ) -> AppendResult:
        if stream_id.startswith("querylog-"):
            raise ConnectionError("query log unavailable")
        return await super().append(stream_id, events, expected_version=expected_version)


async def county(tmp_path: Path, store: MemoryEventStore) -> FastAPI:
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=memory_cipher())
    projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/p.db")
    app = build(ServiceDeps(Settings(data_dir=tmp_path), store, codec, projections)).http
    registry = app.state.registry
    await world.catalogue(store, registry.codec)
    await world.person(store, registry.codec, registry.index, 1, "650102001001")
    await world.person(store, registry.codec, registry.index, 2, "650102001001")
    rejected = {"verdict": "rejected", "rules": ("amount_mismatch",), "messages": ("不符",)}
    rows = (world.row(1, 1), world.row(2, 2, **rejected))
    await world.roster(store, registry.codec, "r-1", "650102001", *rows)
    return app


async def test_reading_a_beneficiary_is_logged_with_the_route_and_the_callers_address(
    tmp_path: Path,
) -> None:
    store = MemoryEventStore()
    app = await county(tmp_path, store)
    answer = await request(app, "GET", "/beneficiaries/b-1", headers=HEADERS)
    assert answer.status == 200
    (read,) = await reads_of(store=store, user_id="u-clerk", day=datetime.now(UTC))
    assert read.actor.role == "township_operator"
    assert read.event == PersonalDataRead(
        kind="beneficiary",
        subject_ids=("b-1",),
        route="GET /beneficiaries/{beneficiary_id}",
        client_address="127.0.0.1",
    )


async def test_downloading_rejected_rows_logs_the_roster_and_the_rows_it_holds(
    tmp_path: Path,
) -> None:
    store = MemoryEventStore()
    app = await county(tmp_path, store)
    answer = await request(app, "GET", "/rosters/r-1/rejected.xlsx", headers=HEADERS)
    assert answer.status == 200
    (read,) = await reads_of(store=store, user_id="u-clerk", day=datetime.now(UTC))
    assert read.event.kind == "rejected_rows_export"  # type: ignore[attr-defined]
    assert (read.event.subject_ids, read.event.row_nos) == (("r-1",), (2,))  # type: ignore[attr-defined]


async def test_a_read_that_holds_no_personal_data_is_not_logged(tmp_path: Path) -> None:
    store = MemoryEventStore()
    app = await county(tmp_path, store)
    before = await store.head_position()
    assert (await request(app, "GET", "/rosters/r-1", headers=HEADERS)).status == 200
    assert await store.head_position() == before


async def test_a_read_that_could_not_be_logged_is_not_answered(tmp_path: Path) -> None:
    app = await county(tmp_path, FailingLog())
    answer = await request(app, "GET", "/beneficiaries/b-1", headers=HEADERS)
    assert (answer.status, answer.json()["code"]) == (500, "internal_error")
    assert "b-1" not in answer.body.decode()
