"""PostgreSQL event store (asyncpg): durable, gap-free global positions in commit order.

Every append of every process takes the row lock on ``log_head`` inside its transaction, so
positions are handed out in commit order with no holes: a reader asking for "everything
after the last position I saw" can never skip an event that commits late (see
docs/adr/001-global-positions.md). Concurrent appends of one instance share a transaction
through :class:`~infra.eventstore.committer.GroupCommitter`. Readers waiting for appends are
woken by ``NOTIFY`` on one LISTEN connection per instance, which is opened again whenever it
drops; while it is down they poll.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from itertools import count, starmap
from typing import Any, Final

import asyncpg  # type: ignore[import-untyped]
import structlog

from infra.eventstore import postgres_sql as sql
from infra.eventstore.committer import GroupCommitter
from infra.eventstore.planning import AppendRequest, Outcome, StreamHead, check_ids
from infra.eventstore.port import AppendResult, NewEvent, RecordedEvent, SpooledEvents
from infra.eventstore.postgres_writer import BatchWriter
from infra.eventstore.subscription import catch_up

_LAST_VERSION: Final = 2**31 - 1
DEAF_POLL_INTERVAL: Final = 0.1
"""How often a waiter reads the head while the LISTEN connection is down (seconds)."""
RELISTEN_WAITS: Final = (0.05, 0.2, 1.0, 5.0)
"""Seconds between attempts to open the LISTEN connection again (the last one repeats)."""

log = structlog.get_logger()


class PostgresEventStore:
    gap_free_positions = True

    def __init__(self, dsn: str, pool: Any, *, schema: str, hash_algorithm: str) -> None:
        """Use :meth:`open`, which creates the tables and the connections."""
        self.schema = schema
        self._dsn = dsn
        self._pool = pool
        self._listener: Any = None
        self._relisten: asyncio.Task[None] | None = None
        self._closing = False
        self._channel = sql.channel(schema)
        self._writer = BatchWriter(self._connect, channel=self._channel, algorithm=hash_algorithm)
        self._committer = GroupCommitter(self._commit_batch)
        self._appended = asyncio.Event()
        self._notified = 0
        self.before_commit: Callable[[], Awaitable[None]] | None = None
        """Awaited inside each writing transaction just before it commits (a test hook)."""

    @classmethod
    async def open(
        cls,
        dsn: str,
        *,
        schema: str = "onecard",
        hash_algorithm: str = "sha256",
        pool_size: int = 10,
    ) -> PostgresEventStore:
        """Connect, and create the schema and its tables unless they exist (safe to race)."""
        sql.checked_schema(schema)
        pool = await asyncpg.create_pool(
            dsn,
            min_size=1,
            max_size=pool_size,
            server_settings={"search_path": schema},
            reset=_keep_session,
        )
        store = cls(dsn, pool, schema=schema, hash_algorithm=hash_algorithm)
        try:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(sql.LOCK_DDL, schema)
                await conn.execute(sql.create_schema(schema))
                await conn.execute(sql.TABLES)
                await conn.execute(sql.APPEND_FUNCTION)
            await store._listen()
        except BaseException:
            await store.close()
            raise
        return store

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], *, expected_version: int
    ) -> AppendResult:
        request = AppendRequest(stream_id, tuple(events), expected_version)
        return await self._committer.append(request)

    async def append_spooled(
        self, stream_id: str, events: SpooledEvents, *, expected_version: int
    ) -> AppendResult:
        check_ids(stream_id, events.event_ids, expected_version)
        return await self._writer.commit_spooled(
            stream_id, events, expected_version, before_commit=self.before_commit
        )

    async def read_stream(
        self,
        stream_id: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        if backwards:
            start = _LAST_VERSION if from_version is None else from_version
            rows = await self._pool.fetch(sql.READ_BACKWARDS, stream_id, start, limit)
        else:
            start = 1 if from_version is None else from_version
            rows = await self._pool.fetch(sql.READ_FORWARDS, stream_id, start, limit)
        recorded = list(starmap(RecordedEvent, rows))
        reached_head = from_version is None if backwards else limit is None
        if recorded and reached_head:  # the writer predicts the next append from it
            head = recorded[0] if backwards else recorded[-1]
            self._writer.learn(stream_id, StreamHead(head.stream_version, head.hash))
        return recorded

    async def read_all(self, *, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        rows = await self._pool.fetch(sql.READ_ALL, after, limit)
        return list(starmap(RecordedEvent, rows))

    async def head_position(self) -> int:
        position: int = await self._pool.fetchval(sql.HEAD)
        return position

    @property
    def listening(self) -> bool:
        """True while the LISTEN connection is up (appends wake waiters at once)."""
        return self._listener is not None and not self._listener.is_closed()

    async def wait_for_append(self, *, after: int, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            appended = self._appended  # taken before reading the head: no wake-up slips between
            if self._notified > after or await self.head_position() > after:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            wait = remaining if self.listening else min(remaining, DEAF_POLL_INTERVAL)
            try:
                await asyncio.wait_for(appended.wait(), wait)
            except TimeoutError:
                continue

    def subscribe(self, *, after: int = 0, batch_size: int = 500) -> AsyncIterator[RecordedEvent]:
        return catch_up(self, after=after, batch_size=batch_size)

    async def load_checkpoint(self, subscriber: str) -> int:
        position: int | None = await self._pool.fetchval(sql.LOAD_CHECKPOINT, subscriber)
        return position or 0

    async def save_checkpoint(self, subscriber: str, position: int) -> None:
        await self._pool.execute(sql.SAVE_CHECKPOINT, subscriber, position)

    async def close(self) -> None:
        self._closing = True
        if self._relisten is not None:
            self._relisten.cancel()
        await self._committer.close()
        await self._writer.close()
        if self._listener is not None:
            await self._listener.close()
        await self._pool.close()

    async def _connect(self) -> Any:
        settings = {"search_path": self.schema, **sql.WRITER_SETTINGS}
        return await asyncpg.connect(self._dsn, server_settings=settings)

    async def _listen(self) -> None:
        listener = await asyncpg.connect(self._dsn)
        try:
            await listener.add_listener(self._channel, self._on_notify)
        except BaseException:
            await listener.close()
            raise
        listener.add_termination_listener(self._on_listener_lost)
        self._listener = listener

    def _on_listener_lost(self, _conn: object) -> None:
        if self._closing or (self._relisten is not None and not self._relisten.done()):
            return
        log.warning("eventstore.listen_lost", schema=self.schema)
        self._relisten = asyncio.get_running_loop().create_task(self._listen_again())
        self._wake()  # waiters go over to polling until it is back

    async def _listen_again(self) -> None:
        """Open the LISTEN connection again, retrying until it is up or the store closes;
        then wake every waiter: what was notified meanwhile was lost, so they read."""
        for attempt in count():
            await asyncio.sleep(RELISTEN_WAITS[min(attempt, len(RELISTEN_WAITS) - 1)])
            try:
                await self._listen()
            except Exception as error:  # whatever it was: try again later
                log.warning("eventstore.relisten_failed", schema=self.schema, error=repr(error))
                continue
            log.info("eventstore.listening_again", schema=self.schema)
            self._wake()
            return

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self._notified = max(self._notified, int(payload))
        self._wake()

    def _wake(self) -> None:
        self._appended.set()
        self._appended = asyncio.Event()

    async def _commit_batch(self, requests: Sequence[AppendRequest]) -> list[Outcome]:
        return await self._writer.commit(requests, before_commit=self.before_commit)


async def _keep_session(conn: Any) -> None:
    """Pooled connections only run queries (no session state to reset): skip asyncpg's reset
    round trip, which would double the cost of small reads."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")
