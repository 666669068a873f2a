"""The PostgreSQL adapter's write side: one transaction per group-committed batch.

Each transaction first takes the row lock on ``log_head``. That lock serialises every writer
of every process, so positions are handed out in commit order with no holes, and the stream
heads and stored ids read after it are the latest committed ones. A batch whose stream heads
the writer can predict goes in one round trip (:mod:`infra.eventstore.postgres_predicted`);
the others, and any batch whose prediction the database refuses, take the locked path here.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from infra.eventstore import postgres_sql as sql
from infra.eventstore.planning import (
    AppendRequest,
    BatchPlan,
    Outcome,
    StoredId,
    StreamHead,
    event_ids,
    plan_batch,
    stream_ids,
)
from infra.eventstore.port import EventIdConflict, EventStoreError, WrongExpectedVersion
from infra.eventstore.postgres_predicted import KnownHeads, append_predicted

Hook = Callable[[], Awaitable[None]]
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

    async def commit(
        self, requests: Sequence[AppendRequest], *, before_commit: Hook | None
    ) -> list[Outcome]:
        """Commit once, and once more on a fresh connection if the connection was lost: safe
        even when the first commit went through, since a stored append replays as a no-op.
        After a failure the heads of the batch's streams are no longer predicted."""
        try:
            try:
                return await self._commit_once(requests, before_commit)
            except _CONNECTION_LOST:
                return await self._commit_once(requests, before_commit)
        except BaseException:
            self._known.forget(stream_ids(requests))  # whatever was committed, or not
            raise

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
