"""Faust, kept thin: one app per service, one agent per consumer, batches to IdempotentConsumer.

The agent only turns Faust events into :class:`ConsumedMessage` and hands each batch to the
consumer. An offset is acknowledged only after ``handle_batch`` returned: ``take_events``
acknowledges the events it yielded even when the agent fails (its ``finally`` runs when the
generator is closed), so the agent holds one extra reference on each message and releases it
only on success. A failed batch therefore stays uncommitted and is delivered again.

A Faust app is a ``mode.Service``; to run it next to uvicorn in an already running loop, use
:func:`start_app` and :func:`stop_app` (or ``async with running(app):``); :func:`run_consumers`
does all of it for ``onecard serve``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import faust

from infra.bus import faust_transport
from infra.bus.consumed import ConsumedMessage
from infra.bus.consumer import IdempotentConsumer
from infra.bus.dead_letter import DeadLetterSink
from infra.bus.kafka_publisher import KafkaPublisher
from infra.service import ConsumerSpec, ServiceDeps
from infra.settings import get_settings


def make_faust_app(
    service: str,
    *,
    bootstrap_servers: str,
    data_dir: Path | None = None,
    **overrides: Any,
) -> faust.App:
    """A Faust app for ``service`` (group ``onecard-<service>``): acks from all in-sync replicas,
    no web server, memory tables, raw bytes, offsets from the earliest message when new.

    The rebalance timeout is short (10 s, Faust's default is 60 s) because a new group's first
    join waits on it on the local broker. ``stream_wait_empty`` is off: it would make a stop or
    a rebalance wait for messages the agent holds unacknowledged (a failed batch, a database
    outage) forever; only acknowledged offsets are committed either way. ``overrides`` replaces
    any setting."""
    folder = (data_dir or get_settings().data_dir) / "faust" / service
    settings: dict[str, Any] = {
        "broker": [
            f"{faust_transport.SCHEME}://{server}" for server in bootstrap_servers.split(",")
        ],
        "producer_acks": -1,
        "web_enabled": False,
        "store": "memory://",
        "datadir": str(folder),
        "autodiscover": False,
        "key_serializer": "raw",
        "value_serializer": "raw",
        "topic_disable_leader": True,
        "consumer_auto_offset_reset": "earliest",
        "broker_session_timeout": 30.0,
        "broker_heartbeat_interval": 3.0,
        "broker_rebalance_timeout": 10.0,
        "broker_commit_interval": 1.0,
        "broker_commit_every": 1_000,
        "broker_max_poll_records": 500,
        "stream_buffer_maxsize": 4_096,
        "stream_wait_empty": False,
        **overrides,
    }
    return faust.App(f"onecard-{service}", **settings)


def bind_consumer(
    app: faust.App,
    consumer: IdempotentConsumer,
    topics: Iterable[str],
    *,
    max_batch: int = 500,
    within: float = 0.005,
) -> Any:
    """Declare ``topics`` (raw bytes) and an agent ``on_<consumer>`` feeding ``consumer``.

    ``take_events`` hands over what arrived within ``within`` seconds; while more messages
    wait in the stream's buffer, the agent keeps what it has (holding a reference on each
    message, so none is acknowledged) and takes the next ones, until it holds ``max_batch``
    or more. A lone event is therefore handled after ``within`` at most, and a backlog in
    large batches."""
    channel = app.topic(
        *topics, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )

    async def agent(stream: Any) -> None:
        held: list[Any] = []
        async for events in stream.take_events(max_=max_batch, within=within):
            for event in events:
                event.message.incref()
            held += events
            if len(held) < max_batch and stream.channel.queue.qsize():
                continue
            await consumer.handle_batch([ConsumedMessage.of(event.message) for event in held])
            for event in held:
                await stream.ack(event)
            held = []

    name = "on_" + consumer.name.replace("-", "_").replace(".", "_")
    return app.agent(channel, name=name)(agent)


async def start_app(app: faust.App) -> None:
    """Start ``app`` in the running event loop (consumer, producer, agents); returns when the
    app is started, while its agents go on consuming in the background."""
    Path(app.conf.datadir).parent.mkdir(parents=True, exist_ok=True)
    await app.start()


async def stop_app(app: faust.App) -> None:
    """Stop the agents and commit what they acknowledged, then disconnect."""
    await app.stop()


@asynccontextmanager
async def running(app: faust.App) -> AsyncIterator[faust.App]:
    await start_app(app)
    try:
        yield app
    finally:
        await stop_app(app)


async def run_consumers(
    *, service: str, consumers: Sequence[ConsumerSpec], deps: ServiceDeps, stop: asyncio.Event
) -> None:
    """Run ``consumers`` as the agents of one Faust app until ``stop`` is set, on the store
    and projection database the service runs on; return once the app has stopped."""
    servers = deps.settings.kafka_bootstrap_servers
    if not servers:
        raise ValueError("run_consumers needs kafka_bootstrap_servers (start the broker first)")
    publisher = await KafkaPublisher.connect(servers, client_id=f"onecard-{service}-deadletters")
    try:
        sink = DeadLetterSink(publisher=publisher, store=deps.store)
        app = make_faust_app(service, bootstrap_servers=servers, data_dir=deps.settings.data_dir)
        for spec in consumers:
            consumer = IdempotentConsumer(
                spec=spec,
                database=deps.projections,
                codec=deps.codec,
                dead_letters=sink,
                max_attempts=deps.settings.consumer_max_attempts,
            )
            await consumer.create_tables()
            bind_consumer(app, consumer, spec.topics)
        async with running(app):
            await stop.wait()
    finally:
        await publisher.close()
