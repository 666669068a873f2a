"""Readiness probes: can this process do its work right now (store, broker, projections)?

Liveness (``/health``) only says the process answers; readiness (``/ready``) runs these
probes, each bounded by a timeout, so an orchestrator stops routing to a service whose
dependencies are down without restarting it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.eventstore.port import EventStore
from infra.settings import Settings

Probe = Callable[[], Awaitable[object]]
"""Raises (or times out) when the dependency is not usable; its return value is ignored."""


async def run_probes(probes: Mapping[str, Probe], *, timeout: float) -> dict[str, str]:
    """Every probe at once: ``"ok"`` or the reason it failed, by name."""
    results = await asyncio.gather(*(_outcome(p, timeout) for p in probes.values()))
    return dict(zip(probes, results, strict=True))


async def _outcome(probe: Probe, timeout: float) -> str:
    try:
        await asyncio.wait_for(probe(), timeout)
    except TimeoutError:
        return f"no answer within {timeout:g}s"
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "ok"


def store_probe(store: EventStore) -> Probe:
    """The event store answers a read of its head position."""
    return store.head_position


def broker_probe(bootstrap_servers: str) -> Probe:
    """Some bootstrap server accepts a TCP connection (cheap; no Kafka client needed)."""

    async def probe() -> None:
        errors = []
        for address in bootstrap_servers.split(","):
            host, _, port = address.strip().rpartition(":")
            try:
                _, writer = await asyncio.open_connection(host.strip("[]"), int(port))
            except OSError as error:
                errors.append(f"{address.strip()}: {error}")
                continue
            writer.close()
            await writer.wait_closed()
            return
        raise ConnectionError("; ".join(errors))

    return probe


def database_probe(engine: AsyncEngine) -> Probe:
    """The database answers ``SELECT 1``."""

    async def probe() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return probe


def service_probes(
    settings: Settings, *, store: EventStore, projections: AsyncEngine
) -> dict[str, Probe]:
    """The probes every service runs: its store, its projection database, its broker."""
    probes = {"event_store": store_probe(store), "projections": database_probe(projections)}
    if settings.kafka_bootstrap_servers:
        probes["broker"] = broker_probe(settings.kafka_bootstrap_servers)
    return probes
