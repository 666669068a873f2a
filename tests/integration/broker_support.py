"""Plumbing for tests through the real local broker: start it (or skip, or fail under CI),
wait for a condition with a deadline, read a topic back, count what a consumer was handed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer

from infra.bus.consumer import IdempotentConsumer
from infra.bus.local_broker import BrokerStartError, LocalBroker
from tests.conftest import server_missing

FAST_JOIN = {"broker_rebalance_timeout": 3.0, "broker_session_timeout": 10.0}
"""Faust settings for tests: a new group's first join on the local broker waits on these."""


def start_broker(log_path: Path | None = None) -> LocalBroker:
    try:
        return LocalBroker(log_path=log_path).start()
    except BrokerStartError as error:
        server_missing("the local Kafka broker", str(error))
        raise


async def until(condition: Callable[[], Awaitable[bool]], *, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.1)


async def read_topic(
    bootstrap: str, topic: str, *, at_least: int, timeout: float = 60
) -> list[Any]:
    """At least ``at_least`` records of ``topic`` from the start (fails after ``timeout``)."""
    reader = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await reader.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            while len(records) < at_least:
                for batch in (await reader.getmany(timeout_ms=500)).values():
                    records.extend(batch)
    finally:
        await reader.stop()
    return records


def counting(consumer: IdempotentConsumer) -> list[int]:
    """Sizes of the batches ``consumer`` has finished handling, appended as it goes."""
    seen: list[int] = []
    handle = consumer.handle_batch

    async def handle_batch(batch: Any) -> None:
        await handle(batch)
        seen.append(len(batch))

    consumer.handle_batch = handle_batch  # type: ignore[method-assign]
    return seen
