"""POST /beneficiaries through the registry app on the memory store: what clerks and other
systems get back, and what is stored."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from contracts.events import EVENTS
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from services.registry.bootstrap import build
from tests.unit.asgi import request
from tests.unit.contract_samples import memory_cipher

CLERK = {
    "X-Onecard-User": "u-clerk",
    "X-Onecard-Role": "township_operator",
    "X-Onecard-Jurisdiction": "650102001",
}
BODY = {
    "beneficiary_id": "b-1",
    "citizen_id": "11010519491231002X",
    "name": "王建国",
    "village_code": "650102001001",
    "household_id": "h-1",
    "phone": "13800138000",
}


@pytest.fixture
def registry(tmp_path: Path) -> tuple[FastAPI, MemoryEventStore]:
    store = MemoryEventStore()
    codec = EventCodec(registry=EVENTS, cipher=memory_cipher())
    projections = ProjectionDatabase(create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/p.db"))
    parts = build(ServiceDeps(Settings(data_dir=tmp_path), store, codec, projections))
    return parts.http, store


async def test_a_registration_is_stored_with_its_actor_and_answered_201(registry) -> None:
    app, store = registry
    answer = await request(app, "POST", "/beneficiaries", headers=CLERK, json_body=BODY)
    assert answer.status == 201
    assert answer.json() == {"beneficiary_id": "b-1", "registered": True}
    (stored,) = await store.read_stream("beneficiary-b-1")
    metadata = orjson.loads(stored.metadata)
    assert metadata["actor"]["user_id"] == "u-clerk"
    assert "11010519491231002X" not in stored.data.decode()


async def test_a_retry_with_the_same_idempotency_key_stores_nothing_more(registry) -> None:
    app, store = registry
    headers = {**CLERK, "Idempotency-Key": "req-7"}
    await request(app, "POST", "/beneficiaries", headers=headers, json_body=BODY)
    again = await request(app, "POST", "/beneficiaries", headers=headers, json_body=BODY)
    assert again.status == 201
    assert again.json()["registered"] is False
    assert await store.head_position() == 2


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"citizen_id": "110105194912310021"}, 422, "invalid_citizen_id"),
        ({"citizen_id": "6.5E+17"}, 422, "invalid_citizen_id"),
        ({"phone": "call me"}, 422, "invalid_phone"),
        ({"village_code": "65"}, 422, "invalid_village_code"),
        ({"name": ""}, 422, "invalid_request"),
        ({"unexpected": 1}, 422, "invalid_request"),
    ],
)
async def test_bad_input_gets_a_stable_code_a_chinese_message_and_stores_nothing(
    registry, change: dict, status: int, code: str
) -> None:
    app, store = registry
    answer = await request(
        app, "POST", "/beneficiaries", headers=CLERK, json_body={**BODY, **change}
    )
    assert (answer.status, answer.json()["code"]) == (status, code)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json()["message"])
    assert await store.head_position() == 0


async def test_the_same_person_under_another_id_is_refused_409(registry) -> None:
    app, _ = registry
    await request(app, "POST", "/beneficiaries", headers=CLERK, json_body=BODY)
    twin = {**BODY, "beneficiary_id": "b-2"}
    answer = await request(app, "POST", "/beneficiaries", headers=CLERK, json_body=twin)
    assert (answer.status, answer.json()["code"]) == (409, "citizen_id_already_registered")


async def test_a_command_without_an_actor_is_refused_401(registry) -> None:
    app, store = registry
    answer = await request(app, "POST", "/beneficiaries", json_body=BODY)
    assert (answer.status, answer.json()["code"]) == (401, "unauthenticated")
    assert await store.head_position() == 0
