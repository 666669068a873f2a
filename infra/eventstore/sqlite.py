"""SQLite event store: the embedded default, one file in WAL mode.

sqlite3 blocks, so the store keeps two connections, each used from its own single thread: a
writer that commits the batches of a :class:`GroupCommitter`, and a reader. ``BEGIN IMMEDIATE``
takes the file's write lock before the log head is read, so writers in every process are
serialised and positions are handed out in commit order without gaps. ``synchronous=FULL``:
an append that returned survives a power cut. After each commit the writer wakes the readers
waiting for appends, in this process or another (``infra.eventstore.sqlite_wake``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Final, TypeVar

from infra.eventstore.committer import GroupCommitter
from infra.eventstore.group_reads import GroupReader
from infra.eventstore.hashchain import utc_timestamp
from infra.eventstore.planning import (
    AppendRequest,
    BatchPlan,
    Outcome,
    SpooledPlan,
    StoredId,
    StreamHead,
    check_ids,
    event_ids,
    plan_batch,
    plan_spooled,
    stream_ids,
)
from infra.eventstore.port import (
    AppendResult,
    EventStoreError,
    NewEvent,
    RecordedEvent,
    SpooledEvents,
)
from infra.eventstore.sqlite_wake import WakeListener, WakeSender, wake_folder
from infra.eventstore.subscription import catch_up

T = TypeVar("T")

POLL_INTERVAL: Final = 0.01
"""How often a waiter without a wake-up socket looks for appends of other processes (s)."""
WOKEN_POLL_INTERVAL: Final = 0.1
"""How often a waiter with a wake-up socket still looks, in case a wake-up never comes (s)."""
WAKE_UPS: Final = True
"""Whether waiters bind a wake-up socket (off: they poll every POLL_INTERVAL; benchmarks)."""
BUSY_TIMEOUT_MS: Final = 30_000
WAL_AUTOCHECKPOINT_PAGES: Final = 10_000
"""Fold the WAL back into the file every ~40 MB rather than SQLite's 4 MB: appends of random
event ids dirty many index pages, and rarer checkpoints write each of them once."""
_IN_CHUNK: Final = 500
_LAST: Final = 2**62

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS events (
    position       INTEGER PRIMARY KEY,
    stream_id      TEXT    NOT NULL,
    stream_version INTEGER NOT NULL,
    event_id       BLOB    NOT NULL UNIQUE CHECK (length(event_id) = 16),
    event_type     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    data           BLOB    NOT NULL,
    metadata       BLOB    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    UNIQUE (stream_id, stream_version)
);
CREATE TABLE IF NOT EXISTS streams (
    stream_id TEXT    PRIMARY KEY,
    version   INTEGER NOT NULL,
    last_hash TEXT    NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    subscriber TEXT    PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at TEXT    NOT NULL
) WITHOUT ROWID;
"""
_COLUMNS: Final = (
    "position, stream_id, stream_version, event_id, event_type,"
    " schema_version, data, metadata, recorded_at, hash"
)
_INSERT_EVENT: Final = f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
_UPSERT_STREAM: Final = (
    "INSERT INTO streams (stream_id, version, last_hash) VALUES (?, ?, ?) ON CONFLICT (stream_id)"
    " DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash"
)
_UPSERT_CHECKPOINT: Final = (
    "INSERT INTO checkpoints (subscriber, position, updated_at) VALUES (?, ?, ?)"
    " ON CONFLICT (subscriber) DO UPDATE"
    " SET position = excluded.position, updated_at = excluded.updated_at"
)
_HEAD: Final = "SELECT coalesce(max(position), 0) FROM events"


class SqliteEventStore:
    """The EventStore port on one SQLite file; several instances and processes may share it."""

    gap_free_positions = True

    def __init__(self, path: Path, *, hash_algorithm: str) -> None:
        self.path = path
        self.before_commit: Callable[[], Awaitable[None]] | None = None
        """Awaited inside every append transaction just before COMMIT (tests hold commits)."""
        self._algorithm = hash_algorithm
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._reader = ThreadPoolExecutor(1, thread_name_prefix="sqlite-reader")
        self._write_conn: sqlite3.Connection | None = None
        self._read_conn: sqlite3.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._appended = asyncio.Event()
        self._notified = 0
        self._wake = WakeSender(wake_folder(self.path))
        self._listener: WakeListener | None = None
        self._listening = False
        self._committer = GroupCommitter(self._commit_batch)
        self._reads: GroupReader[tuple[str, tuple[Any, ...]], list[RecordedEvent]]
        self._reads = GroupReader(self._read_batch)

    @classmethod
    async def open(cls, path: str | Path, *, hash_algorithm: str = "sha256") -> SqliteEventStore:
        """Open (creating if needed) the store file; the schema is created idempotently."""
        store = cls(Path(path), hash_algorithm=hash_algorithm)
        try:
            store._write_conn = await store._on(
                store._writer, partial(_connect, store.path, writer=True)
            )
            store._read_conn = await store._on(
                store._reader, partial(_connect, store.path, writer=False)
            )
        except BaseException:
            await store.close()
            raise
        return store

    # -- appending ------------------------------------------------------------------------

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], *, expected_version: int
    ) -> AppendResult:
        return await self._committer.append(
            AppendRequest(stream_id, tuple(events), expected_version)
        )

    async def append_spooled(
        self, stream_id: str, events: SpooledEvents, *, expected_version: int
    ) -> AppendResult:
        """One transaction of its own: the events go to the file as the spool is read."""
        ids = events.event_ids
        check_ids(stream_id, ids, expected_version)
        write = partial(self._write_spooled, stream_id, events, ids, expected_version)
        outcome = await self._transaction(write)
        if isinstance(outcome, EventStoreError):
            raise outcome
        return outcome

    async def _commit_batch(self, requests: Sequence[AppendRequest]) -> list[Outcome]:
        plan = await self._transaction(partial(self._write_batch, requests))
        return plan.outcomes

    async def _transaction(self, write: Callable[[sqlite3.Connection], tuple[T, int]]) -> T:
        """``write`` in one transaction on the writer thread (it answers the last position it
        wrote, 0 for none); a set ``before_commit`` hook is awaited on the loop while the
        writer thread keeps the transaction (and the file's write lock) open. Waiters in
        other instances and processes are woken from the writer thread once it committed."""
        hook = self.before_commit
        async with self._write_lock:
            try:
                result, wrote = await self._on(
                    self._writer, partial(self._in_transaction, write, hold=bool(hook))
                )
                if hook is not None:
                    if wrote:
                        await hook()
                    await self._on(self._writer, partial(self._commit_and_wake, wrote))
            except sqlite3.Error as error:
                self._writer.submit(self._roll_back)
                raise EventStoreError(f"SQLite append failed: {error}") from error
            except BaseException:
                self._writer.submit(self._roll_back)
                raise
        if wrote:
            self._woken(wrote)
        return result

    def _in_transaction(
        self, write: Callable[[sqlite3.Connection], tuple[T, int]], *, hold: bool
    ) -> tuple[T, int]:
        conn = self._conn(self._write_conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = write(conn)
            if not hold:
                self._commit_and_wake(done[1])
        except BaseException:
            conn.rollback()
            raise
        return done

    def _commit_and_wake(self, position: int) -> None:
        self._conn(self._write_conn).commit()
        if position:
            self._wake.send(position)

    def _write_batch(
        self, requests: Sequence[AppendRequest], conn: sqlite3.Connection
    ) -> tuple[BatchPlan, int]:
        plan = self._plan(conn, requests)
        if not plan.rows:
            return plan, 0
        stamp = utc_timestamp(plan.rows[0].recorded_at)
        conn.executemany(_INSERT_EVENT, (_row(event, stamp) for event in plan.rows))
        heads = ((s, head.version, head.last_hash) for s, head in plan.heads.items())
        conn.executemany(_UPSERT_STREAM, heads)
        return plan, plan.rows[-1].position

    def _write_spooled(
        self,
        stream_id: str,
        events: SpooledEvents,
        ids: Sequence[uuid.UUID],
        expected_version: int,
        conn: sqlite3.Connection,
    ) -> tuple[Outcome, int]:
        heads = conn.execute(
            "SELECT version, last_hash FROM streams WHERE stream_id = ?", (stream_id,)
        ).fetchone()
        plan = plan_spooled(
            stream_id,
            ids,
            expected_version,
            head=StreamHead(*heads) if heads else None,
            stored=self._stored(conn, ids),
            head_position=conn.execute(_HEAD).fetchone()[0],
            recorded_at=datetime.now(UTC),
            algorithm=self._algorithm,
        )
        if not isinstance(plan, SpooledPlan):
            return plan, 0
        stamp = utc_timestamp(plan.recorded_at)
        conn.executemany(_INSERT_EVENT, (_row(event, stamp) for event in plan.rows(events)))
        conn.execute(_UPSERT_STREAM, (stream_id, plan.head.version, plan.head.last_hash))
        return plan.result, plan.last_position

    def _plan(self, conn: sqlite3.Connection, requests: Sequence[AppendRequest]) -> BatchPlan:
        heads = {
            stream_id: StreamHead(version, last_hash)
            for stream_id, version, last_hash in _select_in(
                conn,
                "SELECT stream_id, version, last_hash FROM streams",
                "stream_id",
                stream_ids(requests),
            )
        }
        return plan_batch(
            requests,
            heads=heads,
            stored=self._stored(conn, event_ids(requests)),
            head_position=conn.execute(_HEAD).fetchone()[0],
            recorded_at=datetime.now(UTC),
            algorithm=self._algorithm,
        )

    @staticmethod
    def _stored(conn: sqlite3.Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StoredId]:
        return {
            uuid.UUID(bytes=event_id): StoredId(stream_id, version, position)
            for event_id, stream_id, version, position in _select_in(
                conn,
                "SELECT event_id, stream_id, stream_version, position FROM events",
                "event_id",
                [event_id.bytes for event_id in ids],
            )
        }

    def _roll_back(self) -> None:
        if self._write_conn is not None:
            self._write_conn.rollback()

    # -- reading --------------------------------------------------------------------------

    async def read_stream(
        self,
        stream_id: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        if backwards:
            where, order, start = "stream_version <= ?", "DESC", _LAST
        else:
            where, order, start = "stream_version >= ?", "ASC", 1
        sql = (
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = ? AND {where}"  # noqa: S608
            f" ORDER BY stream_version {order} LIMIT ?"
        )
        params = (stream_id, start if from_version is None else from_version, limit or -1)
        return await self._read(sql, params) if limit != 0 else []

    async def read_all(self, *, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        sql = f"SELECT {_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?"  # noqa: S608
        return await self._read(sql, (after, max(limit, 0)))

    async def head_position(self) -> int:
        return await self._on(self._reader, partial(self._fetch_one, _HEAD, ()))

    async def wait_for_append(self, *, after: int, timeout: float) -> None:
        """Woken at once by this instance's commits, and by other instances' and processes'
        through the wake folder (``infra.eventstore.sqlite_wake``); polls as a fallback."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        poll = WOKEN_POLL_INTERVAL if self._listen() else POLL_INTERVAL
        while True:
            appended = self._appended
            if self._notified > after or await self.head_position() > after:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(appended.wait(), min(remaining, poll))

    def _listen(self) -> bool:
        """Bind this instance's wake-up socket on first use; True while it has one."""
        if not self._listening and WAKE_UPS:
            self._listening = True
            self._listener = WakeListener.open(wake_folder(self.path), self._woken)
            self._wake.skip = self._listener.name if self._listener else None
        return self._listener is not None

    def _woken(self, position: int) -> None:
        self._notified = max(self._notified, position)
        self._appended.set()
        self._appended = asyncio.Event()

    def subscribe(self, *, after: int = 0, batch_size: int = 500) -> AsyncIterator[RecordedEvent]:
        return catch_up(self, after=after, batch_size=batch_size)

    async def _read(self, sql: str, params: tuple[Any, ...]) -> list[RecordedEvent]:
        return await self._reads.read((sql, params))

    async def _read_batch(
        self, queries: Sequence[tuple[str, tuple[Any, ...]]]
    ) -> list[list[RecordedEvent] | Exception]:
        """Reads waiting together, in one trip to the reader thread (``GroupReader``)."""
        return await self._on(self._reader, partial(self._fetch_each, queries))

    def _fetch_each(
        self, queries: Sequence[tuple[str, tuple[Any, ...]]]
    ) -> list[list[RecordedEvent] | Exception]:
        answers: list[list[RecordedEvent] | Exception] = []
        for sql, params in queries:
            try:
                answers.append(self._fetch_events(sql, params))
            except (sqlite3.Error, EventStoreError) as error:
                answers.append(error)
        return answers

    def _fetch_events(self, sql: str, params: tuple[Any, ...]) -> list[RecordedEvent]:
        rows = self._conn(self._read_conn).execute(sql, params).fetchall()
        event, as_uuid, moment = RecordedEvent, uuid.UUID, datetime.fromisoformat
        return [
            event(p, s, v, as_uuid(bytes=i), t, sv, d, m, moment(at), h)
            for p, s, v, i, t, sv, d, m, at, h in rows
        ]

    def _fetch_one(self, sql: str, params: tuple[Any, ...]) -> Any:
        row = self._conn(self._read_conn).execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- checkpoints ----------------------------------------------------------------------

    async def load_checkpoint(self, subscriber: str) -> int:
        sql = "SELECT position FROM checkpoints WHERE subscriber = ?"
        position = await self._on(self._reader, partial(self._fetch_one, sql, (subscriber,)))
        return 0 if position is None else int(position)

    async def save_checkpoint(self, subscriber: str, position: int) -> None:
        params = (subscriber, position, utc_timestamp(datetime.now(UTC)))
        statement = partial(self._conn(self._write_conn).execute, _UPSERT_CHECKPOINT, params)
        async with self._write_lock:  # never inside a held append transaction
            await self._on(self._writer, statement)

    # -- lifecycle ------------------------------------------------------------------------

    async def close(self) -> None:
        await self._committer.close()
        await self._reads.close()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        async with self._write_lock:
            for executor, conn in (  # the writer goes last: it folds the WAL into the file
                (self._reader, self._read_conn),
                (self._writer, self._write_conn),
            ):
                if conn is not None:
                    await self._on(executor, conn.close)
                executor.shutdown()
        self._wake.close()
        self._write_conn = self._read_conn = None

    @staticmethod
    async def _on(executor: ThreadPoolExecutor, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(executor, call)

    @staticmethod
    def _conn(conn: sqlite3.Connection | None) -> sqlite3.Connection:
        if conn is None:
            raise EventStoreError("the SQLite event store is closed")
        return conn


def _connect(path: Path, *, writer: bool) -> sqlite3.Connection:
    """A connection for one thread; the writer also sets the file up (WAL, tables)."""
    if writer:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = FULL")
    if writer:
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
            raise EventStoreError(f"{path} cannot be put in WAL mode")
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        conn.executescript(SCHEMA)
    return conn


def _select_in(
    conn: sqlite3.Connection, select: str, column: str, values: Sequence[Any]
) -> Iterator[Any]:
    """``select … WHERE column IN (values)``, in chunks that stay under SQLite's bind limit."""
    for start in range(0, len(values), _IN_CHUNK):
        chunk = values[start : start + _IN_CHUNK]
        marks = ", ".join("?" * len(chunk))
        yield from conn.execute(f"{select} WHERE {column} IN ({marks})", chunk)


def _row(event: RecordedEvent, stamp: str) -> tuple[Any, ...]:
    return (
        event.position,
        event.stream_id,
        event.stream_version,
        event.event_id.bytes,
        event.event_type,
        event.schema_version,
        event.data,
        event.metadata,
        stamp,
        event.hash,
    )
