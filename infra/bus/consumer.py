"""The idempotent consumer: applies bus messages to a projection exactly once in effect.

Framework-agnostic (Faust feeds it in ``infra.bus.faust_agents``; a test or a store replay can
feed it too). Each event is claimed in the inbox in the same transaction as its effect, so a
redelivery changes nothing; a message that cannot be applied goes to the dead letters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import structlog
from opentelemetry import trace
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
from infra.projections.inbox import INBOX_TABLES, claim
from infra.service import ConsumerSpec

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class _Decoded:
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
        tracer = trace.get_tracer("onecard.consumer", tracer_provider=tracer_provider)
        self._handling = partial(handling, consumer=spec.name, tracer=tracer)

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
        """
        ready = [decoded for m in messages if (decoded := await self._decode(m)) is not None]
        if len(ready) > 1:
            try:
                async with self._database.transaction() as conn:
                    for item in ready:
                        await self._apply(conn, item)
                return
            except Exception as error:
                log.warning("consumer.batch_failed", consumer=self.name, error=repr(error))
        for item in ready:
            await self._apply_alone(item)

    async def _decode(self, message: ConsumedMessage) -> _Decoded | None:
        record: RecordedEvent | None = None
        try:
            record = from_message(message.value)
            return _Decoded(message, record, self._codec.decode(record))
        except failures.UNDECODABLE as error:
            await self._dead_letter(message, error, attempts=1, record=record)
            return None

    async def _apply(self, conn: AsyncConnection, item: _Decoded) -> None:
        with self._handling(item.message, record=item.record, envelope=item.envelope):
            event_id, position = item.record.event_id, item.record.position
            if await claim(conn, consumer=self.name, event_id=event_id, position=position):
                await self.spec.handler(conn, item.envelope)
            else:
                log.debug("consumer.duplicate_skipped")

    async def _apply_alone(self, item: _Decoded) -> None:
        failed = tries = 0
        while True:
            try:
                async with self._database.transaction() as conn:
                    await self._apply(conn, item)
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
