"""The PostgreSQL adapter's write side: one transaction per group-committed batch.

Each transaction first takes the row lock on ``log_head``. That lock serialises every writer
of every process, so positions are handed out in commit order with no holes, and the stream
heads and stored ids read after it are the latest committed ones. A batch whose stream heads
the writer can predict goes in one round trip (:mod:`infra.eventstore.postgres_predicted`);
the others, and any batch whose prediction the database refuses, take the locked path here.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]

from infra.eventstore import postgres_sql as sql
from infra.eventstore.planning import (
    AppendRequest,
    BatchPlan,
    Outcome,
    SpooledPlan,
    StoredId,
    StreamHead,
    event_ids,
    plan_batch,
    plan_spooled,
    stream_ids,
)
from infra.eventstore.port import (
    AppendResult,
    EventIdConflict,
    EventStoreError,
    SpooledEvents,
    WrongExpectedVersion,
)
from infra.eventstore.postgres_predicted import KnownHeads, append_predicted

Hook = Callable[[], Awaitable[None]]
T = TypeVar("T")
_CONNECTION_LOST = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)
"""Failures after which the writer connection is replaced and the batch tried once more."""


class BatchWriter:
    """Commits batches on a dedicated connection, opened on first use and after a failure."""

    def __init__(
        self, connect: Callable[[], Awaitable[Any]], *, channel: str, algorithm: str
    ) -> None:
        self._connect = connect
        self._channel = channel
        self._algorithm = algorithm
        self._conn: Any = None
        self._known = KnownHeads()
        self._busy = asyncio.Lock()
        """Batches and spooled appends take turns on the one connection."""

    async def commit(
        self, requests: Sequence[AppendRequest], *, before_commit: Hook | None
    ) -> list[Outcome]:
        """Commit once, and once more on a fresh connection if the connection was lost: safe
        even when the first commit went through, since a stored append replays as a no-op.
        After a failure the heads of the batch's streams are no longer predicted."""
        async with self._busy:
            return await self._twice(
                stream_ids(requests), self._commit_once, requests, before_commit
            )

    async def commit_spooled(
        self,
        stream_id: str,
        events: SpooledEvents,
        expected_version: int,
        *,
        before_commit: Hook | None,
    ) -> AppendResult:
        """A spooled append on the locked path, retried like a batch: the events are copied
        into the table as the spool is read, so memory holds one event at a time."""
        async with self._busy:
            return await self._twice(
                [stream_id], self._spooled_once, stream_id, events, expected_version, before_commit
            )

    async def _twice(
        self, streams: list[str], attempt: Callable[..., Awaitable[T]], *args: Any
    ) -> T:
        try:
            try:
                return await attempt(*args)
            except _CONNECTION_LOST:
                return await attempt(*args)
        except BaseException:
            self._known.forget(streams)  # whatever was committed, or not
            raise

    async def _spooled_once(
        self,
        stream_id: str,
        events: SpooledEvents,
        expected_version: int,
        before_commit: Hook | None,
    ) -> AppendResult:
        if self._conn is None or self._conn.is_closed():
            self._conn = await self._connect()
        conn, ids = self._conn, events.event_ids
        try:
            await conn.execute(sql.BEGIN_LOCKED)
            head_position, heads, stored = _state(
                await conn.fetch(sql.LOAD_BATCH_STATE, [stream_id], ids)
            )
            plan = plan_spooled(
                stream_id,
                ids,
                expected_version,
                head=heads.get(stream_id),
                stored=stored,
                head_position=head_position,
                recorded_at=datetime.now(UTC),
                algorithm=self._algorithm,
            )
            if isinstance(plan, SpooledPlan):
                await self._write_spooled(conn, plan, events, before_commit)
            else:
                await conn.execute("COMMIT")
        except BaseException as error:
            self._drop()
            if isinstance(error, asyncpg.UniqueViolationError):
                raise EventIdConflict(stream_id, list(ids)) from error
            raise
        if isinstance(plan, EventStoreError):
            raise plan
        if isinstance(plan, SpooledPlan):
            self._known.remember({stream_id: plan.head})
            return plan.result
        return plan

    async def _write_spooled(
        self, conn: Any, plan: SpooledPlan, events: SpooledEvents, before_commit: Hook | None
    ) -> None:
        await conn.copy_records_to_table("events", records=plan.rows(events), columns=sql.COLUMNS)
        if before_commit is not None:
            await before_commit()
        heads = {plan.stream_id: (plan.head.version, plan.head.last_hash)}
        await conn.execute(sql.write_heads_and_commit(heads, plan.last_position, self._channel))

    async def _commit_once(
        self, requests: Sequence[AppendRequest], before_commit: Hook | None
    ) -> list[Outcome]:
        if self._conn is None or self._conn.is_closed():
            self._conn = await self._connect()
        if before_commit is None:  # the hook needs a transaction held open: the locked path
            try:
                outcomes = await append_predicted(
                    self._conn,
                    requests,
                    self._known,
                    algorithm=self._algorithm,
                    channel=self._channel,
                )
            except BaseException:
                self._drop()
                raise
            if outcomes is not None:
                return outcomes
        return await self._commit_locked(requests, before_commit)

    async def _commit_locked(
        self, requests: Sequence[AppendRequest], before_commit: Hook | None
    ) -> list[Outcome]:
        conn = self._conn
        try:
            await conn.execute(sql.BEGIN_LOCKED)
            plan, heads = await self._plan(conn, requests)
            await self._write(conn, plan, before_commit)
        except BaseException as error:
            self._drop()  # the server rolls the transaction back with the connection
            if isinstance(error, asyncpg.UniqueViolationError):
                raise _conflict(requests, error) from error
            raise
        self._known.remember(heads)
        self._known.remember(plan.heads)
        return plan.outcomes

    def learn(self, stream_id: str, head: StreamHead) -> None:
        """A stream's head as a read found it, to predict the next append to it."""
        self._known.learn(stream_id, head)

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.terminate()
            self._conn = None

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def _plan(
        self, conn: Any, requests: Sequence[AppendRequest]
    ) -> tuple[BatchPlan, dict[str, StreamHead]]:
        """The plan, and the stream heads it was made on."""
        rows = await conn.fetch(sql.LOAD_BATCH_STATE, stream_ids(requests), event_ids(requests))
        head_position, heads, stored = _state(rows)
        plan = plan_batch(
            requests,
            heads=heads,
            stored=stored,
            head_position=head_position,
            recorded_at=datetime.now(UTC),
            algorithm=self._algorithm,
        )
        return plan, heads

    async def _write(self, conn: Any, plan: BatchPlan, before_commit: Hook | None) -> None:
        if plan.rows:
            # RecordedEvent is a tuple in column order: the rows go to COPY as they are
            await conn.copy_records_to_table("events", records=plan.rows, columns=sql.COLUMNS)
            if before_commit is not None:
                await before_commit()
            heads = {stream: (head.version, head.last_hash) for stream, head in plan.heads.items()}
            await conn.execute(sql.write_heads_and_commit(heads, plan.head_position, self._channel))
        else:
            await conn.execute("COMMIT")


def _state(
    rows: Iterable[Any],
) -> tuple[int, dict[str, StreamHead], dict[uuid.UUID, StoredId]]:
    """The log head, the stream heads and the stored ids that ``LOAD_BATCH_STATE`` found."""
    head_position = 0
    heads: dict[str, StreamHead] = {}
    stored: dict[uuid.UUID, StoredId] = {}
    for stream_id, version, last_hash, event_id, position in rows:
        if stream_id is None:
            head_position = position
        elif event_id is None:
            heads[stream_id] = StreamHead(version, last_hash)
        else:
            stored[event_id] = StoredId(stream_id, version, position)
    return head_position, heads, stored


def _conflict(requests: Sequence[AppendRequest], error: Any) -> EventStoreError:
    """A unique violation the log-head lock should make impossible, as a port error.

    The group committer retries a failed batch request by request, so a lone request gets
    the precise answer.
    """
    if len(requests) != 1:
        return EventStoreError(f"conflicting batch: {error}")
    request = requests[0]
    if "event_id" in (error.constraint_name or ""):
        return EventIdConflict(request.stream_id, [e.event_id for e in request.events])
    return WrongExpectedVersion(request.stream_id, request.expected_version, -1)
