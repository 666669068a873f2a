"""The relay: the only way events reach Kafka (never a dual write from a command handler).

It reads the global log after its checkpoint, publishes the integration events among them,
keyed by stream id, and saves the checkpoint only after the broker acknowledged them all.
At-least-once: a crash between the acknowledgement and the checkpoint resends what was not
checkpointed, which idempotent consumers absorb; nothing is ever skipped. While running, the
checkpoint is saved at most every ``checkpoint_every`` seconds (and whenever the relay has
caught up): a checkpoint is a durable write to the store, and saving one per page (a page
every few milliseconds under a steady trickle) competed with the appends themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import structlog
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from infra.bus.heap import freeze_startup_heap
from infra.bus.messages import BusMessage, to_message
from infra.bus.publisher import Publisher, PublishError
from infra.eventstore.port import EventStore, RecordedEvent
from infra.telemetry import extract, inject, is_recording, is_sampled

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
        checkpoint_every: float = 0.1,
    ) -> None:
        self._store = store
        self._publisher = publisher
        self.name = name
        self._page_size = page_size
        self._idle_wait = idle_wait
        self._retry_wait = retry_wait
        self._checkpoint_every = checkpoint_every
        self._position: int | None = None
        self._saved: int | None = None
        self._saved_at = 0.0

    async def relay_once(self, *, checkpoint: bool = True) -> int:
        """Publish one page after the last position published; return how many stored events
        it covered. The checkpoint is saved afterwards unless ``checkpoint`` is False."""
        if self._position is None:
            self._position = self._saved = await self._store.load_checkpoint(self.name)
        page = await self._store.read_all(after=self._position, limit=self._page_size)
        if page:
            await self._publisher.publish(_traced_messages(page))
            self._position = page[-1].position
        if checkpoint:
            await self._save_checkpoint()
        return len(page)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Relay until ``stop`` is set; a broker outage is retried, never skipped. The
        process's heap as it is now is frozen first (``infra.bus.heap``).

        Checkpoints are saved beside the relaying, one at a time: a save waits for the
        store's write lock, which the appends hold in turn, and the next page need not."""
        stop = stop or asyncio.Event()
        freeze_startup_heap()
        loop = asyncio.get_running_loop()
        saving: asyncio.Task[None] | None = None
        try:
            while not stop.is_set():
                try:
                    relayed = await self.relay_once(checkpoint=False)
                except PublishError as error:
                    log.warning("relay.publish_failed", relay=self.name, error=str(error))
                    await _sleep_unless(stop, self._retry_wait)
                    continue
                due = relayed == 0 or loop.time() - self._saved_at >= self._checkpoint_every
                if due and (saving is None or saving.done()):
                    if saving is not None:
                        saving.result()  # a save that failed fails the relay
                    saving = asyncio.create_task(self._save_checkpoint())
                if relayed < self._page_size:
                    await self._store.wait_for_append(
                        after=self._position or 0, timeout=self._idle_wait
                    )
        finally:
            if saving is not None:
                await saving
        await self._save_checkpoint()

    async def _save_checkpoint(self) -> None:
        """Record the last position the broker acknowledged, if it moved since last saved."""
        position = self._position
        if position is None or position == self._saved:
            return
        await self._store.save_checkpoint(self.name, position)
        self._saved, self._saved_at = position, asyncio.get_running_loop().time()


def _traced_messages(page: Sequence[RecordedEvent]) -> list[BusMessage]:
    """One producer span per message, child of the command that stored the event; the span's
    own context replaces the trace headers, so the consumer continues from the relay. No span
    is built when no tracer provider records (no SDK installed) or for an event whose trace
    was not sampled: it would be dropped, and the stored trace headers travel unchanged."""
    recording = is_recording()
    messages = []
    for record in page:
        message = to_message(record)
        if message is None:
            continue
        carried = {k: v.decode() for k, v in message.headers if k.startswith("trace")}
        if not recording or not is_sampled(carried):
            messages.append(message)
            continue
        with tracer.start_as_current_span(
            f"relay {record.event_type}", context=extract(carried), kind=SpanKind.PRODUCER
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
