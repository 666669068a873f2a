"""The relay: the only way events reach Kafka (never a dual write from a command handler).

It reads the global log after its checkpoint, publishes the integration events among them,
keyed by stream id, and saves the checkpoint only after the broker acknowledged them all.
At-least-once: a crash between the acknowledgement and the checkpoint resends that page, which
idempotent consumers absorb; nothing is ever skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import structlog
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from infra.bus.messages import BusMessage, to_message
from infra.bus.publisher import Publisher, PublishError
from infra.eventstore.port import EventStore, RecordedEvent
from infra.telemetry import extract, inject

log = structlog.get_logger()
tracer = trace.get_tracer("onecard.relay")


class Relay:
    def __init__(
        self,
        *,
        store: EventStore,
        publisher: Publisher,
        name: str = "relay",
        page_size: int = 1_000,
        idle_wait: float = 1.0,
        retry_wait: float = 1.0,
    ) -> None:
        self._store = store
        self._publisher = publisher
        self.name = name
        self._page_size = page_size
        self._idle_wait = idle_wait
        self._retry_wait = retry_wait
        self._position: int | None = None

    async def relay_once(self) -> int:
        """Publish one page after the checkpoint; return how many stored events it covered."""
        if self._position is None:
            self._position = await self._store.load_checkpoint(self.name)
        page = await self._store.read_all(after=self._position, limit=self._page_size)
        if not page:
            return 0
        await self._publisher.publish(_traced_messages(page))
        await self._store.save_checkpoint(self.name, page[-1].position)
        self._position = page[-1].position
        return len(page)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Relay until ``stop`` is set; a broker outage is retried, never skipped."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                relayed = await self.relay_once()
            except PublishError as error:
                log.warning("relay.publish_failed", relay=self.name, error=str(error))
                await _sleep_unless(stop, self._retry_wait)
                continue
            if relayed < self._page_size:
                await self._store.wait_for_append(
                    after=self._position or 0, timeout=self._idle_wait
                )


def _traced_messages(page: Sequence[RecordedEvent]) -> list[BusMessage]:
    """One producer span per message, child of the command that stored the event; the span's
    own context replaces the trace headers, so the consumer continues from the relay."""
    messages = []
    for record in page:
        message = to_message(record)
        if message is None:
            continue
        parent = extract({k: v.decode() for k, v in message.headers if k.startswith("trace")})
        with tracer.start_as_current_span(
            f"relay {record.event_type}", context=parent, kind=SpanKind.PRODUCER
        ) as span:
            span.set_attribute("messaging.destination.name", message.topic)
            span.set_attribute("onecard.position", record.position)
            headers = [(k, v) for k, v in message.headers if not k.startswith("trace")]
            headers += [(k, v.encode()) for k, v in inject().items()]
        messages.append(BusMessage(message.topic, message.key, message.value, headers))
    return messages


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return
