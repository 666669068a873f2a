"""``serve``: one service in one process, its HTTP API (uvicorn) and its consumers together.

The consumers run as the agents of the service's Faust app (``infra.bus.faust_agents``) in the
same event loop as uvicorn; both stop together.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack
from typing import Any, Protocol, cast

import structlog
import uvicorn

from infra.bus import faust_agents
from infra.logging import configure_logging
from infra.projections.database import ProjectionDatabase
from infra.runtime.lifecycle import stop_on_signals, with_broker
from infra.service import ServiceDeps, ServiceParts, Ticker
from infra.settings import SERVICES, Settings
from infra.telemetry import configure_tracing
from infra.wiring import make_clock, make_codec, open_store


class ConsumerRunner(Protocol):
    """Runs a service's consumers until ``stop`` is set, then returns once they stopped."""

    def __call__(
        self, parts: ServiceParts, deps: ServiceDeps, *, stop: asyncio.Event
    ) -> Coroutine[Any, Any, None]: ...


class ServiceBuilder(Protocol):
    def __call__(self, deps: ServiceDeps) -> ServiceParts: ...


def load_builder(service: str) -> ServiceBuilder:
    """``services.<service>.bootstrap.build``; services are loaded by name, never imported by
    infra at import time."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    module = importlib.import_module(f"services.{service}.bootstrap")
    return cast(ServiceBuilder, module.build)


async def run_consumers(parts: ServiceParts, deps: ServiceDeps, *, stop: asyncio.Event) -> None:
    """The service's consumers as the agents of its Faust app (none: nothing to run)."""
    if parts.consumers:
        await faust_agents.run_consumers(
            service=parts.name, consumers=parts.consumers, deps=deps, stop=stop
        )


async def serve(
    service: str, settings: Settings, *, consumer_runner: ConsumerRunner = run_consumers
) -> None:
    """Serve ``service`` on ``http_host:http_port(service)`` until SIGINT or SIGTERM."""
    builder = load_builder(service)
    configure_logging(service=service, level=settings.log_level)
    provider = configure_tracing(service=service, otlp_endpoint=settings.otlp_endpoint)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    stop = stop_on_signals()
    try:
        async with AsyncExitStack() as stack:
            deps = await _open_deps(service, settings, stack)
            parts = builder(deps)
            for closer in parts.closers:
                stack.push_async_callback(closer)
            consumers = consumer_runner(parts, deps, stop=stop)
            await _run(parts, deps.settings, stop, consumers)
    finally:
        provider.shutdown()


async def _open_deps(service: str, settings: Settings, stack: AsyncExitStack) -> ServiceDeps:
    settings = await with_broker(settings, stack)
    store = await open_store(settings)
    stack.push_async_callback(store.close)
    projections = await ProjectionDatabase.open(settings.projection_url(service))
    stack.push_async_callback(projections.close)
    return ServiceDeps(settings, store, make_codec(settings), projections, make_clock(settings))


async def _run(
    parts: ServiceParts,
    settings: Settings,
    stop: asyncio.Event,
    consumers: Coroutine[Any, Any, None],
) -> None:
    config = uvicorn.Config(
        parts.http,
        host=settings.http_host,
        port=settings.http_port(parts.name),
        log_config=None,
        access_log=False,
    )
    server = _Server(config)
    async with asyncio.TaskGroup() as group:
        group.create_task(consumers)
        group.create_task(_exit_when(stop, server))
        for ticker in parts.tickers:
            group.create_task(run_ticker(ticker, stop))
        await server.serve()
        stop.set()


async def run_ticker(ticker: Ticker, stop: asyncio.Event) -> None:
    """Run ``ticker`` every ``ticker.every`` until ``stop``; a failed run is logged and the
    next one tries again (the work is idempotent), it never stops the service."""
    log = structlog.get_logger("onecard.ticker").bind(ticker=ticker.name)
    while not stop.is_set():
        try:
            await ticker.run()
        except Exception:
            log.exception("ticker_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), ticker.every.total_seconds())


async def _exit_when(stop: asyncio.Event, server: uvicorn.Server) -> None:
    await stop.wait()
    server.should_exit = True


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: :func:`stop_on_signals` owns them, so the
    server and the consumers stop together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
