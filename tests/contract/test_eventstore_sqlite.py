import asyncio
import contextlib
import shutil
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import infra.eventstore.sqlite as sqlite_module
from infra.eventstore.hashchain import utc_timestamp
from infra.eventstore.port import NO_STREAM
from infra.eventstore.sqlite import SqliteEventStore
from infra.eventstore.sqlite_wake import wake_folder
from infra.eventstore.verify import verify_store
from tests.contract.eventstore_contract import EventStoreContract, events, read_everything

ROOT = Path(__file__).resolve().parents[2]

APPEND_FROM_ANOTHER_PROCESS = """
import asyncio, sys
from infra.eventstore.sqlite import SqliteEventStore
from tests.contract.eventstore_contract import events

async def main() -> None:
    store = await SqliteEventStore.open(sys.argv[1])
    await store.append("from-elsewhere", events(3), expected_version=0)
    await store.close()

asyncio.run(main())
"""


class TestSqliteEventStore(EventStoreContract):
    @pytest.fixture
    async def store(self, tmp_path: Path) -> AsyncIterator[SqliteEventStore]:
        store = await SqliteEventStore.open(tmp_path / "store" / "events.db")
        yield store
        await store.close()

    async def another(self, store: SqliteEventStore) -> SqliteEventStore:
        return await SqliteEventStore.open(store.path)

    async def flip_byte(self, store: SqliteEventStore, position: int) -> None:
        with contextlib.closing(sqlite3.connect(store.path)) as raw, raw:
            (data,) = raw.execute(
                "SELECT data FROM events WHERE position = ?", (position,)
            ).fetchone()
            flipped = bytes([data[0] ^ 1]) + data[1:]
            raw.execute("UPDATE events SET data = ? WHERE position = ?", (flipped, position))

    async def raw_dump(self, store: SqliteEventStore) -> bytes:
        """The database file and its WAL, byte for byte, as a thief would copy them."""
        folder = Path(store.path).parent
        return b"".join(p.read_bytes() for p in sorted(folder.glob(Path(store.path).name + "*")))

    # -- SQLite only ----------------------------------------------------------------------

    async def test_a_subscription_sees_appends_committed_by_another_process(self, store):
        await store.append("here", events(1), expected_version=NO_STREAM)
        subscription = store.subscribe(after=1)
        first = asyncio.ensure_future(anext(subscription))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", APPEND_FROM_ANOTHER_PROCESS, str(store.path), cwd=ROOT
        )
        assert await asyncio.wait_for(process.wait(), timeout=60) == 0
        received = [await asyncio.wait_for(first, timeout=10)]
        received += [await asyncio.wait_for(anext(subscription), timeout=10) for _ in range(2)]
        await subscription.aclose()
        assert [(e.stream_id, e.position) for e in received] == [
            ("from-elsewhere", 2),
            ("from-elsewhere", 3),
            ("from-elsewhere", 4),
        ]

    async def test_an_append_in_another_process_wakes_a_waiter_that_does_not_poll(
        self, store, monkeypatch
    ):
        monkeypatch.setattr(sqlite_module, "WOKEN_POLL_INTERVAL", 60.0)
        monkeypatch.setattr(sqlite_module, "POLL_INTERVAL", 60.0)
        await store.append("here", events(1), expected_version=NO_STREAM)
        waiting = asyncio.create_task(store.wait_for_append(after=1, timeout=120))
        await asyncio.sleep(0.1)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", APPEND_FROM_ANOTHER_PROCESS, str(store.path), cwd=ROOT
        )
        assert await asyncio.wait_for(process.wait(), timeout=60) == 0
        await asyncio.wait_for(waiting, timeout=2)  # the datagram, not a poll

    async def test_a_wake_up_that_never_comes_is_covered_by_the_poll(self, store, monkeypatch):
        writer = await self.another(store)
        try:
            monkeypatch.setattr(writer._wake, "send", lambda position: None)
            await store.append("here", events(1), expected_version=NO_STREAM)
            waiting = asyncio.create_task(store.wait_for_append(after=1, timeout=120))
            await asyncio.sleep(0.1)
            await writer.append("there", events(1), expected_version=NO_STREAM)
            await asyncio.wait_for(waiting, timeout=2)
        finally:
            await writer.close()

    async def test_a_socket_left_by_a_killed_waiter_is_removed_by_the_next_append(self, store):
        folder = wake_folder(store.path)
        folder.mkdir(parents=True, exist_ok=True)
        stale = folder / "killed-waiter"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as dead:
            dead.bind(str(stale))  # closed without unlinking, as after SIGKILL
        await store.append("s-1", events(2), expected_version=NO_STREAM)
        assert not stale.exists()
        assert not folder.exists()  # it was the only waiter
        assert [e.position for e in await read_everything(store)] == [1, 2]

    async def test_closing_the_last_waiter_removes_its_socket_and_folder(self, store):
        await store.wait_for_append(after=0, timeout=0.01)
        folder = wake_folder(store.path)
        assert len(list(folder.iterdir())) == 1
        await store.close()
        assert not folder.exists()

    async def test_closing_checkpoints_the_wal_into_the_one_database_file(self, store, tmp_path):
        await store.append("s-1", events(500, text="归档"), expected_version=NO_STREAM)
        before = await read_everything(store)
        await store.close()
        copy = tmp_path / "copy" / "events.db"
        copy.parent.mkdir()
        shutil.copyfile(store.path, copy)  # the main file alone, without -wal or -shm
        reopened = await SqliteEventStore.open(copy)
        try:
            assert await read_everything(reopened) == before
            assert (await verify_store(reopened)).intact
        finally:
            await reopened.close()

    async def test_the_stored_timestamp_is_the_sealed_text(self, store):
        await store.append("s-1", events(1), expected_version=NO_STREAM)
        (event,) = await store.read_stream("s-1")
        with contextlib.closing(sqlite3.connect(store.path)) as raw:
            (stamp,) = raw.execute("SELECT recorded_at FROM events").fetchone()
        assert stamp == utc_timestamp(event.recorded_at)
        assert event.recorded_at.utcoffset() is not None
        assert event.recorded_at.utcoffset().total_seconds() == 0
