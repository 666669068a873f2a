"""``relay`` and ``broker`` on their own, so either can be stopped and restarted alone."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import structlog

from infra.bus.kafka_publisher import KafkaPublisher
from infra.bus.local_broker import LocalBroker, free_port
from infra.bus.relay import Relay
from infra.logging import configure_logging
from infra.runtime.lifecycle import stop_on_signals, with_broker
from infra.settings import Settings
from infra.telemetry import configure_tracing
from infra.wiring import open_store

log = structlog.get_logger()


async def relay(settings: Settings) -> None:
    """Publish stored integration events to Kafka until SIGINT or SIGTERM; it resumes from
    its checkpoint in the store, so a restart neither skips nor needs anything."""
    configure_logging(service="relay", level=settings.log_level)
    provider = configure_tracing(service="relay", otlp_endpoint=settings.otlp_endpoint)
    stop = stop_on_signals()
    try:
        async with AsyncExitStack() as stack:
            settings = await with_broker(settings, stack)
            store = await open_store(settings)
            stack.push_async_callback(store.close)
            servers = settings.kafka_bootstrap_servers or ""
            publisher = await KafkaPublisher.connect(servers, client_id="onecard-relay")
            stack.push_async_callback(publisher.close)
            log.info("relay.started", store=settings.event_store_url.split("://")[0], kafka=servers)
            relay = Relay(store=store, publisher=publisher, name=settings.relay_checkpoint)
            await relay.run(stop)
    finally:
        provider.shutdown()


async def broker(settings: Settings, *, port: int | None = None) -> None:
    """The local broker alone, on ``port`` (default: a free one), until SIGINT or SIGTERM."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    stop = stop_on_signals()
    local = LocalBroker(port=port or free_port(), log_path=settings.data_dir / "broker.log")
    await asyncio.to_thread(local.start)
    try:
        print(f"local broker at {local.bootstrap_servers}", flush=True)
        print(f"  export ONECARD_KAFKA_BOOTSTRAP_SERVERS={local.bootstrap_servers}", flush=True)
        await stop.wait()
    finally:
        local.stop()
