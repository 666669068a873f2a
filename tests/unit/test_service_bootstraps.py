"""Every service's bootstrap wires an app from in-memory adapters, without touching I/O."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from contracts.events import EVENTS
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.projections.database import ProjectionDatabase
from infra.runtime import run_consumers
from infra.runtime.serve import load_builder
from infra.service import ServiceDeps, ServiceParts
from infra.settings import SERVICES, Settings
from tests.unit.asgi import request
from tests.unit.contract_samples import memory_cipher

CODEC = EventCodec(registry=EVENTS, cipher=memory_cipher())


@pytest.fixture
async def deps(tmp_path: Path) -> AsyncIterator[ServiceDeps]:
    settings = Settings(kafka_bootstrap_servers=None, data_dir=tmp_path)
    projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/p.db")
    yield ServiceDeps(settings, MemoryEventStore(), CODEC, projections)
    await projections.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_each_service_builds_its_parts(service: str, deps: ServiceDeps) -> None:
    parts = load_builder(service)(deps)
    assert parts.name == service
    assert parts.http.title == f"onecard {service}"
    assert (await request(parts.http, "GET", "/health")).status == 200
    assert (await request(parts.http, "GET", "/ready")).status == 200
    for close in parts.closers:
        await close()


def test_an_unknown_service_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown service 'billing'"):
        load_builder("billing")


async def test_a_service_without_consumers_does_not_need_the_agents(deps: ServiceDeps) -> None:
    parts = ServiceParts(name="notify", http=FastAPI())
    await asyncio.wait_for(run_consumers(parts, deps, stop=asyncio.Event()), 1)
