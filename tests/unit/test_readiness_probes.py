"""The readiness probes on in-memory dependencies, and how a failure or a hang is reported."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import create_async_engine

from infra.eventstore.memory import MemoryEventStore
from infra.http.readiness import database_probe, run_probes, store_probe


async def _hangs() -> None:
    await asyncio.sleep(10)


async def _broken_database() -> None:
    engine = create_async_engine("sqlite+aiosqlite:////nonexistent-dir/x.db")
    try:
        await database_probe(engine)()
    finally:
        await engine.dispose()


async def test_store_and_database_probes_pass_on_live_dependencies() -> None:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    probes = {"event_store": store_probe(MemoryEventStore()), "db": database_probe(engine)}
    try:
        assert await run_probes(probes, timeout=2) == {"event_store": "ok", "db": "ok"}
    finally:
        await engine.dispose()


async def test_a_failure_gives_its_reason_and_a_hang_its_timeout() -> None:
    results = await run_probes({"db": _broken_database, "slow": _hangs}, timeout=0.05)
    assert results["db"].startswith("OperationalError")
    assert results["slow"] == "no answer within 0.05s"
