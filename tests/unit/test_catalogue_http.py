"""The catalogue API through its router on the memory store: programmes and divisions as
clerks and other systems see them, and what is stored."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.http.app import make_service_app
from infra.projections.database import ProjectionDatabase
from services.registry.domain.divisions import DIVISION_EVENTS
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.domain.programme import PROGRAMME_EVENTS
from services.registry.entrypoints.http import RegistryApp
from services.registry.entrypoints.http_catalogue import router
from tests.unit.asgi import request
from tests.unit.contract_samples import memory_cipher

COUNTY = {
    "X-Onecard-User": "u-county",
    "X-Onecard-Role": "county_department_operator",
    "X-Onecard-Jurisdiction": "650102",
}
PROGRAMME = {
    "code": "GDDLBH",
    "standard_name": "耕地地力保护补贴",
    "department": "县农业农村局",
    "funding_source": "中央财政",
    "unit": "亩",
    "unit_standard": "108.47",
    "max_amount_fen": 500_000,
    "jurisdiction": "650102",
    "valid_from": "2026-01-01",
    "aliases": ["耕地补贴"],
}
TERMS = {k: v for k, v in PROGRAMME.items() if k != "code"}


@pytest.fixture
def catalogue(tmp_path: Path) -> tuple[FastAPI, MemoryEventStore]:
    store, cipher = MemoryEventStore(), memory_cipher()
    projections = ProjectionDatabase(create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/p.db"))
    codec = EventCodec(
        registry=REGISTRY_EVENTS.including([*PROGRAMME_EVENTS, *DIVISION_EVENTS]), cipher=cipher
    )
    app = make_service_app("registry", ready_checks={})
    app.include_router(router)
    app.state.registry = RegistryApp(
        store=store, codec=codec, index=cipher, projections=projections
    )
    return app, store


async def test_a_programme_is_defined_revised_retired_and_read_back(catalogue) -> None:
    app, store = catalogue
    defined = await request(app, "POST", "/programmes", headers=COUNTY, json_body=PROGRAMME)
    assert (defined.status, defined.json()) == (
        201,
        {"code": "GDDLBH", "version": 1, "defined": True},
    )
    revision = {**TERMS, "unit_standard": "112.30", "reason": "2026年标准调整"}
    revised = await request(app, "PUT", "/programmes/GDDLBH", headers=COUNTY, json_body=revision)
    assert (revised.status, revised.json()["version"]) == (200, 2)
    retired = await request(
        app, "POST", "/programmes/GDDLBH/retire", headers=COUNTY, json_body={"reason": "到期"}
    )
    assert retired.json()["retired"] is True
    shown = (await request(app, "GET", "/programmes/GDDLBH", headers=COUNTY)).json()
    assert (shown["version"], shown["status"]) == (2, "retired")
    assert shown["terms"]["unit_standard"] == "112.30"
    assert shown["terms"]["notice_working_days"] == 5  # Xinjiang's minimum, by default
    history = shown["history"]
    assert [h["terms"]["unit_standard"] for h in history[:2]] == ["108.47", "112.30"]
    assert [h["reason"] for h in history] == [None, "2026年标准调整", "到期"]
    assert history[0]["user_id"] == "u-county"
    assert await store.head_position() == 3


async def test_a_retried_definition_stores_nothing_more(catalogue) -> None:
    app, store = catalogue
    headers = {**COUNTY, "Idempotency-Key": "req-9"}
    await request(app, "POST", "/programmes", headers=headers, json_body=PROGRAMME)
    again = await request(app, "POST", "/programmes", headers=headers, json_body=PROGRAMME)
    assert (again.status, again.json()["defined"]) == (201, False)
    (stored,) = await store.read_stream("programme-GDDLBH")
    assert orjson.loads(stored.metadata)["actor"]["user_id"] == "u-county"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"unit_standard": 108.47}, 422, "invalid_request"),
        ({"unit_standard": "1e2"}, 422, "invalid_request"),
        ({"max_amount_fen": 5000.0}, 422, "invalid_request"),
        ({"max_amount_fen": "5000"}, 422, "invalid_request"),
        ({"valid_from": 1767225600}, 422, "invalid_request"),
        ({"unexpected": 1}, 422, "invalid_request"),
        ({"notice_working_days": 3}, 422, "invalid_programme_terms"),
        ({"jurisdiction": "110103"}, 422, "invalid_programme_terms"),
        ({"code": "gddlbh"}, 422, "invalid_programme_code"),
    ],
)
async def test_bad_programmes_get_a_stable_code_and_store_nothing(
    catalogue, change: dict, status: int, code: str
) -> None:
    app, store = catalogue
    body = {**PROGRAMME, **change}
    answer = await request(app, "POST", "/programmes", headers=COUNTY, json_body=body)
    assert (answer.status, answer.json()["code"]) == (status, code)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json()["message"])
    assert await store.head_position() == 0


async def test_refusals_keep_their_status(catalogue) -> None:
    app, _ = catalogue
    unknown = await request(app, "GET", "/programmes/NOPE", headers=COUNTY)
    assert (unknown.status, unknown.json()["code"]) == (404, "programme_unknown")
    await request(app, "POST", "/programmes", headers=COUNTY, json_body=PROGRAMME)
    other = {**PROGRAMME, "unit_standard": "1.00"}
    taken = await request(app, "POST", "/programmes", headers=COUNTY, json_body=other)
    assert (taken.status, taken.json()["code"]) == (409, "programme_exists")
    revise = {**TERMS, "reason": "x"}
    missing = await request(app, "PUT", "/programmes/NOPE", headers=COUNTY, json_body=revise)
    assert (missing.status, missing.json()["code"]) == (404, "programme_unknown")


async def test_a_command_without_an_actor_is_refused_401(catalogue) -> None:
    app, store = catalogue
    answer = await request(app, "POST", "/programmes", json_body=PROGRAMME)
    assert answer.status == 401
    assert await store.head_position() == 0


async def test_a_county_registers_townships_and_villages(catalogue) -> None:
    app, store = catalogue
    body = {
        "county_code": "650102",
        "county_name": "天山区",
        "divisions": [
            {"code": "650102001", "name": "燕儿窝街道"},
            {"code": "650102001201", "name": "燕儿窝村"},
        ],
    }
    answer = await request(app, "POST", "/divisions", headers=COUNTY, json_body=body)
    assert (answer.status, answer.json()) == (201, {"county_code": "650102", "registered": 2})
    county = (await request(app, "GET", "/divisions/650102", headers=COUNTY)).json()
    assert (county["name"], county["level"], county["parent"]) == ("天山区", "county", "6501")
    assert county["children"] == [{"code": "650102001", "name": "燕儿窝街道"}]
    town = (await request(app, "GET", "/divisions/650102001", headers=COUNTY)).json()
    assert town["children"] == [{"code": "650102001201", "name": "燕儿窝村"}]
    village = await request(app, "GET", "/divisions/650102001201", headers=COUNTY)
    assert (village.status, village.json()["name"]) == (200, "燕儿窝村")
    assert await store.head_position() == 2


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/divisions/650100", 422, "invalid_division_code"),
        ("/divisions/650102009", 404, "division_unknown"),
        ("/divisions/659999", 404, "division_unknown"),
    ],
)
async def test_unknown_divisions(catalogue, path: str, status: int, code: str) -> None:
    app, _ = catalogue
    answer = await request(app, "GET", path, headers=COUNTY)
    assert (answer.status, answer.json()["code"]) == (status, code)


async def test_a_retired_county_reads_as_not_in_use(catalogue) -> None:
    app, _ = catalogue
    answer = (await request(app, "GET", "/divisions/110103", headers=COUNTY)).json()
    assert (answer["name"], answer["in_use"]) == ("崇文区", False)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"county_code": "650102", "divisions": [{"code": "650103001", "name": "镇"}]},
            "division_outside_county",
        ),
        (
            {
                "county_code": "650102",
                "county_name": "沙依巴克区",
                "divisions": [{"code": "650102001", "name": "镇"}],
            },
            "county_name_mismatch",
        ),
        (
            {"county_code": "110103", "divisions": [{"code": "110103001", "name": "镇"}]},
            "county_retired",
        ),
        ({"county_code": "650102", "divisions": []}, "invalid_request"),
    ],
)
async def test_bad_divisions_are_refused_and_store_nothing(
    catalogue, body: dict, code: str
) -> None:
    app, store = catalogue
    answer = await request(app, "POST", "/divisions", headers=COUNTY, json_body=body)
    assert (answer.status, answer.json()["code"]) == (422, code)
    assert await store.head_position() == 0
