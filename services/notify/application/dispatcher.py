"""The outbox's dispatcher (a Ticker): sends the SMS that are due through the provider, and
records each final outcome in the SMS's own stream before the outbox forgets it.

Per claimed SMS: its stream is read first — an outcome already there (a rebuilt outbox,
another dispatcher, a crash after the append) settles the row without sending; else the phone
is opened, the message handed over, and the next step decided (``domain/delivery.py``): sent
or failed is appended to the stream, then stored in the outbox; a retry only moves the row's
due time. A crash between handing over and appending sends the message again under the same
idempotency key (docs/adr/013-notify.md). Idempotent, as a Ticker must be.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

import structlog

from contracts.pii import PiiCipher
from infra.clock import Clock
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.projections.database import ProjectionDatabase
from services.notify.adapters.tables import TABLES
from services.notify.application.claims import claim_due
from services.notify.application.outbox import Finished, Queued, finish, unsendable
from services.notify.application.ports import OutgoingSms, SmsProvider
from services.notify.application.streams import load_notice, record_outcome
from services.notify.domain.delivery import (
    GaveUp,
    NextStep,
    RetryAt,
    RetryPolicy,
    SendOutcome,
    Sent,
    Transient,
    after_attempt,
)
from services.notify.domain.notice import (
    Command,
    NoticeState,
    RecordFailed,
    RecordNotSendable,
    RecordSent,
)
from services.notify.domain.rate_limit import PhoneRateLimits

PHONE_WAIT: Final = timedelta(days=30)
"""How long an SMS waits for its beneficiary's phone before it is recorded as not sendable."""
ROUNDS_PER_TICK: Final = 50

log = structlog.get_logger()


@dataclass
class Dispatcher:
    store: EventStore
    codec: EventCodec
    cipher: PiiCipher
    projections: ProjectionDatabase
    clock: Clock
    provider: SmsProvider
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    limits: PhoneRateLimits = field(default_factory=PhoneRateLimits)
    phone_wait: timedelta = PHONE_WAIT
    batch_size: int = 200
    concurrency: int = 16
    lease: timedelta = timedelta(minutes=5)
    _tables_ready: bool = field(default=False, init=False)

    async def tick(self) -> None:
        """One run: settle what can never be sent, then send what is due, batch by batch."""
        if not self._tables_ready:
            await self.projections.create_tables(TABLES)
            self._tables_ready = True
        await self.settle_unsendable()
        for _ in range(ROUNDS_PER_TICK):
            if await self.dispatch_batch() < self.batch_size:
                break

    async def settle_unsendable(self) -> int:
        """Record every pending SMS that can never go as not sendable; return how many."""
        now = self.clock.now()
        async with self.projections.transaction() as conn:
            found = await unsendable(
                conn, now=now, phone_wait=self.phone_wait, limit=1000, cipher=self.cipher
            )
        results = [
            await self._record(job, RecordNotSendable(job.facts, reason), now, job.attempts)
            for job, reason in found
        ]
        async with self.projections.transaction() as conn:
            await finish(conn, results)
        return len(results)

    async def dispatch_batch(self) -> int:
        """Claim and send one batch of due SMS; return how many rows were due (claimed or
        moved to a later time by the rate limits)."""
        now = self.clock.now()
        async with self.projections.transaction() as conn:
            jobs, due = await claim_due(
                conn,
                now=now,
                limits=self.limits,
                lease=self.lease,
                limit=self.batch_size,
                cipher=self.cipher,
            )
        gate = asyncio.Semaphore(self.concurrency)

        async def deliver(job: Queued) -> Finished:
            async with gate:
                return await self._deliver(job)

        results = await asyncio.gather(*(deliver(job) for job in jobs), return_exceptions=True)
        async with self.projections.transaction() as conn:
            await finish(conn, [result for result in results if isinstance(result, Finished)])
        for result in results:
            if isinstance(result, BaseException):  # its lease runs out; the stream decides then
                raise result
        return due

    async def _deliver(self, job: Queued) -> Finished:
        notification_id = job.facts.notification_id
        state, version = await load_notice(self.store, self.codec, notification_id)
        if state is not None:
            return Finished(
                notification_id, state.outcome, job.attempts, finished_at=self.clock.now()
            )
        outcome = await self._hand_over(job)
        now = self.clock.now()
        step = after_attempt(outcome, attempts_before=job.attempts, now=now, policy=self.policy)
        if isinstance(step, RetryAt):
            log.info("sms.retry_later", notification_id=notification_id, reason=step.reason)
            return Finished(notification_id, "pending", step.attempts, step.at, step.reason)
        return await self._record(
            job, self._command(job, step), now, step.attempts, (state, version)
        )

    async def _hand_over(self, job: Queued) -> SendOutcome:
        assert job.phone is not None
        sms = OutgoingSms(job.facts.notification_id, job.phone, job.text)
        try:
            return await self.provider.send(sms)
        except Exception as error:  # a provider's bug must not stop the queue
            log.error(
                "sms.provider_error",
                notification_id=sms.notification_id,
                error=type(error).__name__,
            )
            return Transient("provider_error")

    def _command(self, job: Queued, step: NextStep) -> Command:
        if isinstance(step, Sent):
            return RecordSent(job.facts, step, self.provider.name, job.text)
        assert isinstance(step, GaveUp)
        return RecordFailed(job.facts, step, self.provider.name)

    async def _record(
        self,
        job: Queued,
        command: Command,
        now: datetime,
        attempts: int,
        loaded: tuple[NoticeState | None, int] | None = None,
    ) -> Finished:
        """Append the outcome to the SMS's stream (unless one is there), then say what the
        outbox row becomes."""
        notification_id = job.facts.notification_id
        state, version = loaded or await load_notice(self.store, self.codec, notification_id)
        held = await record_outcome(
            store=self.store,
            codec=self.codec,
            command=command,
            cause=job.cause,
            at=now,
            state=state,
            version=version,
        )
        log.info("sms.outcome", notification_id=notification_id, outcome=held.outcome)
        if held.outcome == "sent" and isinstance(command, RecordSent):
            reference = command.sent.reference
            return Finished(
                notification_id, "sent", attempts, provider_reference=reference, finished_at=now
            )
        if held.outcome == "failed" and isinstance(command, RecordFailed):
            error = _error_of(command.gave_up)
            return Finished(notification_id, "failed", attempts, last_error=error, finished_at=now)
        return Finished(notification_id, held.outcome, attempts, finished_at=now)


def _error_of(gave_up: GaveUp) -> str:
    return gave_up.reason if gave_up.detail is None else f"{gave_up.reason}: {gave_up.detail}"
