"""The idempotent consumer: applies bus messages to a projection exactly once in effect.

Framework-agnostic (Faust feeds it in ``infra.bus.faust_agents``; a test or a store replay can
feed it too). Each event is claimed in the inbox in the same transaction as its effect, so a
redelivery changes nothing; a message that cannot be applied goes to the dead letters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import NamedTuple

import structlog
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from infra.bus import failures
from infra.bus.consumed import ConsumedMessage, handling
from infra.bus.dead_letter import DeadLetters
from infra.bus.messages import from_message
from infra.eventcodec import EventCodec
from infra.eventstore.port import RecordedEvent
from infra.projections.database import ProjectionDatabase
from infra.projections.inbox import INBOX_TABLES, claim_batch
from infra.service import ConsumerSpec
from infra.telemetry import extract, is_recording, is_sampled

log = structlog.get_logger()


class BatchSkipped(RuntimeError):
    """A batch was not applied because the batch handed over before it was not: applying it
    would put its events before theirs. Neither may be acknowledged."""


class _Decoded(NamedTuple):
    message: ConsumedMessage
    record: RecordedEvent
    envelope: Envelope[Event]


class IdempotentConsumer:
    """Applies one ConsumerSpec's messages: each event's effect at most once, none dropped."""

    def __init__(
        self,
        *,
        spec: ConsumerSpec,
        database: ProjectionDatabase,
        codec: EventCodec,
        dead_letters: DeadLetters,
        max_attempts: int = 3,
        backoff: failures.Backoff | None = None,
        tracer_provider: trace.TracerProvider | None = None,
    ) -> None:
        self.spec = spec
        self._database = database
        self._codec = codec
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._backoff = backoff or failures.exponential_backoff()
        self._provider = tracer_provider
        self._tracer = trace.get_tracer("onecard.consumer", tracer_provider=tracer_provider)
        self._handling = partial(handling, consumer=spec.name, tracer=self._tracer)
        self._last: asyncio.Future[bool] | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    async def create_tables(self) -> None:
        """Create the inbox and the projection's tables where missing."""
        await self._database.create_tables(INBOX_TABLES, self.spec.tables)

    async def handle_batch(self, messages: Sequence[ConsumedMessage]) -> None:
        """Return only once every message is applied, was applied before, or is dead-lettered.

        The batch is first applied in one transaction; if that fails, each message gets its own
        transaction and up to ``max_attempts`` tries. Undecodable messages are dead-lettered at
        once. Outages (database or dead-letter sink unreachable) are retried until they end. It
        raises only when cancelled or when decoding fails in an unforeseen way: the caller must
        then acknowledge none of the batch.

        Calls may overlap (the Faust agent decodes the next batch while one commits): a call
        decodes at once, but writes only after the call before it (if still running) has
        returned, in the order the calls were made; when that one raised, this one raises
        :class:`BatchSkipped` and writes nothing.
        """
        previous, mine = self._last, asyncio.get_running_loop().create_future()
        self._last, succeeded = mine, False
        try:
            ready = await self._decode_all(messages)
            if previous is not None and not await asyncio.shield(previous):
                raise BatchSkipped("the batch before this one was not applied")
            await self._apply_batch(ready)
            succeeded = True
        finally:
            if not mine.done():
                mine.set_result(succeeded)
            if self._last is mine:  # nothing overlaps: the next call starts a new chain
                self._last = None

    async def _apply_batch(self, ready: Sequence[_Decoded]) -> None:
        if len(ready) > 1:
            try:
                with self._batch_spans(ready):
                    async with self._database.transaction() as conn:
                        await self._apply(conn, ready)
                return
            except Exception as error:
                log.warning("consumer.batch_failed", consumer=self.name, error=repr(error))
        for item in ready:
            await self._apply_alone(item)

    async def _decode_all(self, messages: Sequence[ConsumedMessage]) -> list[_Decoded]:
        """The batch decoded, in order; an undecodable message is dead-lettered and left out."""
        decode, ready = self._codec.decode, list[_Decoded]()
        for message in messages:
            record: RecordedEvent | None = None
            try:
                record = from_message(message.value)
                ready.append(_Decoded(message, record, decode(record)))
            except failures.UNDECODABLE as error:
                await self._dead_letter(message, error, attempts=1, record=record)
        return ready

    async def _apply(self, conn: AsyncConnection, items: Sequence[_Decoded]) -> None:
        """Claim the batch's events in one statement and hand the fresh ones to the handler."""
        distinct = list({item.record.event_id: item for item in items}.values())
        events = [(item.record.event_id, item.record.position) for item in distinct]
        fresh = await claim_batch(conn, consumer=self.name, events=events)
        todo = [item.envelope for item in distinct if item.record.event_id in fresh]
        if len(todo) < len(items):
            log.debug("consumer.duplicates_skipped", count=len(items) - len(todo))
        if todo:
            await self.spec.handler(conn, todo)

    @contextmanager
    def _batch_spans(self, items: Sequence[_Decoded]) -> Iterator[None]:
        """One CONSUMER span per sampled message, each continuing its own trace, around the
        batch. Nothing is built when no tracer provider records (no SDK installed) or for a
        message whose trace was not sampled: its span would be dropped anyway."""
        if not is_recording(self._provider):
            yield
            return
        spans = [
            self._tracer.start_span(
                f"consume {item.record.event_type}",
                context=extract(headers),
                kind=SpanKind.CONSUMER,
                attributes={
                    "messaging.destination.name": item.message.topic,
                    "messaging.kafka.offset": item.message.offset,
                    "onecard.event_id": str(item.record.event_id),
                    "onecard.batch_size": len(items),
                },
            )
            for item in items
            if is_sampled(headers := item.message.trace_headers())
        ]
        try:
            yield
        except Exception as error:
            for span in spans:
                span.record_exception(error)
            raise
        finally:
            for span in spans:
                span.end()

    async def _apply_alone(self, item: _Decoded) -> None:
        failed = tries = 0
        while True:
            try:
                with self._handling(item.message, record=item.record, envelope=item.envelope):
                    async with self._database.transaction() as conn:
                        await self._apply(conn, [item])
                return
            except Exception as error:
                tries, outage = tries + 1, failures.is_outage(error)
                failed += not outage
                if failed >= self._max_attempts:
                    await self._dead_letter(
                        item.message, error, attempts=failed, record=item.record
                    )
                    return
                await asyncio.sleep(self._backoff(tries))

    async def _dead_letter(
        self,
        message: ConsumedMessage,
        error: Exception,
        *,
        attempts: int,
        record: RecordedEvent | None,
    ) -> None:
        event_id = record.event_id if record else None
        with self._handling(message, record=record):
            log.error("consumer.dead_lettered", error=repr(error), attempts=attempts)
            await failures.until_done(
                lambda: self._dead_letters.send(
                    message, consumer=self.name, error=error, attempts=attempts, event_id=event_id
                ),
                backoff=self._backoff,
                failed="consumer.dead_letter_failed",
            )
