"""Per-event timestamps along relay → Kafka → consumer, taken by thin wrappers around the real
parts (nothing on the path is replaced), all on one ``time.perf_counter`` clock.

Stages, each keyed by the event id: ``appended`` (the store's append returned), ``read`` (the
relay's ``read_all`` returned the page), ``acked`` (the publisher returned: Kafka acknowledged
the page), ``received`` (the agent took the message off its channel: Faust's ``on_message_in``),
``handled`` (the projection handler was called, inside the transaction) and ``committed``
(``IdempotentConsumer.handle_batch`` returned: the projection transaction has committed).
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Sequence
from typing import Any

from faust.sensors import Sensor

from infra.bus.consumed import ConsumedMessage
from infra.bus.consumer import IdempotentConsumer
from infra.bus.messages import BusMessage
from infra.bus.publisher import Publisher
from infra.eventstore.port import EventStore, RecordedEvent
from infra.service import Handler

STAGES = ("appended", "read", "acked", "received", "handled", "committed")


class Probe:
    def __init__(self) -> None:
        self.at: dict[str, dict[str, float]] = {stage: {} for stage in STAGES}
        self._waiters: dict[str, asyncio.Future[None]] = {}

    def mark(self, stage: str, event_ids: Sequence[str]) -> None:
        now, seen = time.perf_counter(), self.at[stage]
        for event_id in event_ids:
            seen.setdefault(event_id, now)
        if stage == "committed":
            for event_id in event_ids:
                if (waiter := self._waiters.pop(event_id, None)) and not waiter.done():
                    waiter.set_result(None)

    def mark_one(self, stage: str, event_id: str) -> None:
        """``mark`` for one event of a stage that nobody waits for."""
        self.at[stage].setdefault(event_id, time.perf_counter())

    async def committed(self, event_id: str, *, timeout: float) -> None:
        if event_id in self.at["committed"]:
            return
        waiter = self._waiters.setdefault(event_id, asyncio.get_running_loop().create_future())
        await asyncio.wait_for(waiter, timeout)

    def count(self, stage: str) -> int:
        return len(self.at[stage])

    def span(self, stage: str) -> tuple[float, float]:
        times = self.at[stage].values()
        return min(times), max(times)

    def latencies_ms(self, event_ids: Sequence[str], start: str, end: str) -> list[float]:
        begin, finish = self.at[start], self.at[end]
        return sorted(
            (finish[e] - begin[e]) * 1000 for e in event_ids if e in begin and e in finish
        )


def summary(latencies: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max of sorted milliseconds."""
    if not latencies:
        return {}
    pick = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q))]  # noqa: E731
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "max_ms": latencies[-1],
    }


def stage_rows(probe: Probe, event_ids: Sequence[str], label: str) -> list[dict[str, Any]]:
    """One row per hop between consecutive stages."""
    return [
        {"case": f"{label}: {start} → {end}", **summary(probe.latencies_ms(event_ids, start, end))}
        for start, end in itertools.pairwise(STAGES)
    ]


class ProbedStore:
    """The relay's view of the store: ``read_all`` marks ``read`` for what it returns."""

    def __init__(self, inner: EventStore, probe: Probe) -> None:
        self._inner, self._probe = inner, probe

    async def read_all(self, *, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        page = await self._inner.read_all(after=after, limit=limit)
        self._probe.mark("read", [str(record.event_id) for record in page])
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class ProbedPublisher:
    """Marks ``acked`` once the wrapped publisher returned (the broker acknowledged)."""

    def __init__(self, inner: Publisher, probe: Probe) -> None:
        self._inner, self._probe = inner, probe
        self.pages: list[int] = []

    async def publish(self, messages: Sequence[BusMessage]) -> None:
        await self._inner.publish(messages)
        self.pages.append(len(messages))
        self._probe.mark("acked", [dict(m.headers)["event_id"].decode() for m in messages])

    async def close(self) -> None:
        await self._inner.close()


class ReceiveSensor(Sensor):  # type: ignore[misc]
    """A Faust sensor marking ``received`` when the agent takes a message off its channel."""

    def __init__(self, probe: Probe, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._probe = probe

    def on_message_in(self, tp: Any, offset: int, message: Any) -> None:
        """Per message, on the agent's loop: kept to a scan of the headers (its cost is
        measuring error, not the agent's)."""
        for key, value in message.headers or ():
            if key == "event_id":
                self._probe.mark_one("received", value.decode())
                return


def probed_handler(handler: Handler, probe: Probe) -> Handler:
    async def handle(conn: Any, envelopes: Sequence[Any]) -> None:
        probe.mark("handled", [str(envelope.event_id) for envelope in envelopes])
        await handler(conn, envelopes)

    return handle


def probe_commits(consumer: IdempotentConsumer, probe: Probe, batches: list[int]) -> None:
    """Mark ``committed`` when ``handle_batch`` returned (its transaction has committed)."""
    handle = consumer.handle_batch

    async def handle_batch(messages: Sequence[ConsumedMessage]) -> None:
        await handle(messages)
        batches.append(len(messages))
        probe.mark("committed", [m.header("event_id") or "" for m in messages])

    consumer.handle_batch = handle_batch  # type: ignore[method-assign]
