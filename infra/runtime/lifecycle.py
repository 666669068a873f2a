"""What every runtime command shares: stopping on a signal, and a broker to talk to."""

from __future__ import annotations

import asyncio
import signal
import uuid
from contextlib import AsyncExitStack

import structlog

from infra.bus.local_broker import LocalBroker
from infra.settings import Settings

log = structlog.get_logger()


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM: the one shutdown path of every command."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def with_broker(settings: Settings, stack: AsyncExitStack) -> Settings:
    """The settings with a broker address: the configured Kafka, or else a local broker
    started here and stopped when ``stack`` closes (the documented meaning of "unset")."""
    if settings.kafka_bootstrap_servers:
        return settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    broker = LocalBroker(log_path=settings.data_dir / "broker.log")
    await asyncio.to_thread(broker.start)
    stack.callback(broker.stop)
    log.info("broker.local_started", bootstrap_servers=broker.bootstrap_servers)
    # The local broker keeps messages in memory: a new one has received nothing, so the relay
    # starts a new checkpoint and republishes the log (consumers' inboxes absorb the repeats).
    return settings.model_copy(
        update={
            "kafka_bootstrap_servers": broker.bootstrap_servers,
            "relay_checkpoint": f"relay-local-{uuid.uuid4().hex[:12]}",
        }
    )


def reachable_host(settings: Settings) -> str:
    """Where to reach a service bound to ``http_host`` from this machine."""
    return "127.0.0.1" if settings.http_host in {"0.0.0.0", "::", ""} else settings.http_host  # noqa: S104


async def http_status(host: str, port: int, path: str, *, timeout: float = 1.0) -> int | None:
    """The status code of ``GET path``, or None when nothing answers in time."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            writer.write(request.encode())
            status_line = await reader.readline()
            writer.close()
            await writer.wait_closed()
    except (OSError, TimeoutError):
        return None
    parts = status_line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
