"""Group reads on the SQLite store: many concurrent reads share trips to the reader thread,
and each caller still gets exactly its own answer — its own events, its own error — and sees
every append that returned before it asked."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from infra.eventstore.group_reads import GroupReader
from infra.eventstore.port import NewEvent
from infra.eventstore.sqlite import SqliteEventStore


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteEventStore]:
    opened = await SqliteEventStore.open(tmp_path / "events.db")
    yield opened
    await opened.close()


def _events(n: int) -> list[NewEvent]:
    return [NewEvent(uuid.uuid4(), "Tested", 1, f'{{"n": {k}}}'.encode()) for k in range(n)]


async def test_concurrent_reads_each_get_their_own_stream(store: SqliteEventStore) -> None:
    for n in range(300):
        await store.append(f"s-{n}", _events(1 + n % 3), expected_version=0)
    read = await asyncio.gather(*(store.read_stream(f"s-{n}") for n in range(300)))
    assert [{e.stream_id for e in events} for events in read] == [{f"s-{n}"} for n in range(300)]
    assert [len(events) for events in read] == [1 + n % 3 for n in range(300)]


async def test_a_read_sees_every_append_that_returned_before_it(store: SqliteEventStore) -> None:
    async def append_then_read(n: int) -> int:
        await store.append(f"s-{n}", _events(2), expected_version=0)
        return len(await store.read_stream(f"s-{n}"))

    assert await asyncio.gather(*(append_then_read(n) for n in range(100))) == [2] * 100


async def test_a_failing_read_answers_only_its_caller() -> None:
    trips: list[int] = []

    async def read_batch(queries: Sequence[str]) -> list[str | Exception]:
        trips.append(len(queries))
        return [ValueError(q) if q == "bad" else q.upper() for q in queries]

    reader: GroupReader[str, str] = GroupReader(read_batch)
    answers = await asyncio.gather(
        *(reader.read(q) for q in ("a", "bad", "c")), return_exceptions=True
    )
    assert answers[0::2] == ["A", "C"]
    assert isinstance(answers[1], ValueError)
    assert trips == [3]


async def test_a_failed_trip_fails_its_callers_and_the_next_trip_runs() -> None:
    broken = [True]

    async def read_batch(queries: Sequence[str]) -> list[str | Exception]:
        if broken.pop():
            raise OSError("disk gone")
        return list(queries)

    reader: GroupReader[str, str] = GroupReader(read_batch)
    with pytest.raises(OSError, match="disk gone"):
        await reader.read("a")
    broken.append(False)
    assert await reader.read("b") == "b"


async def test_a_cancelled_caller_leaves_the_others_their_answers() -> None:
    release = asyncio.Event()

    async def read_batch(queries: Sequence[str]) -> list[str | Exception]:
        await release.wait()
        return list(queries)

    reader: GroupReader[str, str] = GroupReader(read_batch)
    first, second = (asyncio.create_task(reader.read(q)) for q in ("x", "y"))
    await asyncio.sleep(0)
    first.cancel()
    release.set()
    assert await second == "y"
    await reader.close()
