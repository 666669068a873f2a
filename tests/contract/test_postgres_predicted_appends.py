"""PostgreSQL appends in one round trip, planned on the stream heads the writer predicts: a
stale prediction, or an event id stored already, must write nothing and leave the batch to the
locked path, which answers as if no prediction had been made."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest

from infra.eventstore import postgres_sql as sql
from infra.eventstore.hashchain import GENESIS
from infra.eventstore.planning import AppendRequest, StreamHead
from infra.eventstore.port import ANY_VERSION, NO_STREAM, WrongExpectedVersion
from infra.eventstore.postgres import PostgresEventStore
from infra.eventstore.postgres_predicted import KnownHeads, append_predicted
from infra.eventstore.verify import verify_store
from tests.conftest import POSTGRES_URL
from tests.contract.eventstore_contract import events, read_everything

pytestmark = pytest.mark.postgres


@pytest.fixture
async def store(schema: str) -> AsyncIterator[PostgresEventStore]:
    store = await PostgresEventStore.open(POSTGRES_URL, schema=schema)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def other(store: PostgresEventStore) -> AsyncIterator[PostgresEventStore]:
    other = await PostgresEventStore.open(POSTGRES_URL, schema=store.schema)
    try:
        yield other
    finally:
        await other.close()


async def test_an_append_whose_heads_the_writer_knows_is_one_statement(
    store: PostgresEventStore,
) -> None:
    await store.append("warm-up", events(1), expected_version=NO_STREAM)
    statements: list[str] = []
    store._writer._conn.add_query_logger(lambda record: statements.append(record.query))
    await store.append("s-1", events(3), expected_version=NO_STREAM)
    await store.append("s-1", events(2), expected_version=3)
    await store.append("s-1", events(1), expected_version=ANY_VERSION)
    assert statements == [sql.APPEND_IF_HEADS_MATCH] * 3
    assert [e.stream_version for e in await store.read_stream("s-1")] == [1, 2, 3, 4, 5, 6]


async def test_an_append_after_reading_the_stream_to_its_head_is_one_statement(
    store: PostgresEventStore, other: PostgresEventStore
) -> None:
    await other.append("whole", events(2), expected_version=NO_STREAM)
    await other.append("backwards", events(3), expected_version=NO_STREAM)
    await store.append("warm-up", events(1), expected_version=NO_STREAM)
    statements: list[str] = []
    store._writer._conn.add_query_logger(lambda record: statements.append(record.query))
    version = len(await store.read_stream("whole"))
    await store.append("whole", events(1), expected_version=version)
    (last,) = await store.read_stream("backwards", backwards=True, limit=1)
    await store.append("backwards", events(1), expected_version=last.stream_version)
    assert statements == [sql.APPEND_IF_HEADS_MATCH] * 2
    assert (await verify_store(store)).intact


async def test_an_append_anywhere_on_a_stream_another_instance_moved_chains_on_its_head(
    store: PostgresEventStore, other: PostgresEventStore
) -> None:
    await store.append("s-1", events(2), expected_version=NO_STREAM)  # store now knows v2
    await other.append("s-1", events(1), expected_version=2)
    result = await store.append("s-1", events(1), expected_version=ANY_VERSION)
    assert (result.stream_version, result.first_position, result.last_position) == (4, 4, 4)
    assert [e.stream_version for e in await store.read_stream("s-1")] == [1, 2, 3, 4]
    assert (await verify_store(store)).intact


async def test_an_append_at_the_version_a_writer_remembers_after_another_moved_is_refused(
    store: PostgresEventStore, other: PostgresEventStore
) -> None:
    await store.append("s-1", events(2), expected_version=NO_STREAM)
    await other.append("s-1", events(1), expected_version=2)
    with pytest.raises(WrongExpectedVersion) as refused:
        await store.append("s-1", events(1), expected_version=2)
    assert (refused.value.expected, refused.value.actual) == (2, 3)
    assert await store.head_position() == 3


async def test_a_retry_through_an_instance_that_never_saw_the_append_is_a_no_op(
    store: PostgresEventStore, other: PostgresEventStore
) -> None:
    batch = events(3)
    await store.append("before", events(1), expected_version=NO_STREAM)
    first = await store.append("s-1", batch, expected_version=NO_STREAM)
    assert await other.append("s-1", batch, expected_version=NO_STREAM) == first
    assert await other.head_position() == first.last_position == 4


async def test_a_prediction_of_the_stored_version_with_another_hash_writes_nothing(
    store: PostgresEventStore,
) -> None:
    await store.append("s-1", events(1), expected_version=NO_STREAM)
    stale = KnownHeads()
    stale.remember({"s-1": StreamHead(1, "sha256:" + "0" * 64)})
    appended = await _predicted(store, stale, AppendRequest("s-1", tuple(events(1)), 1))
    assert appended is None
    assert [e.stream_version for e in await read_everything(store)] == [1]


async def test_a_new_stream_predicted_where_one_exists_writes_nothing(
    store: PostgresEventStore,
) -> None:
    await store.append("s-1", events(2), expected_version=NO_STREAM)
    request = AppendRequest("s-1", tuple(events(1)), ANY_VERSION)
    fresh = KnownHeads()
    fresh.remember({"s-1": StreamHead(0, GENESIS)})
    assert await _predicted(store, fresh, request) is None
    assert await store.head_position() == 2


async def _predicted(store: PostgresEventStore, known: KnownHeads, request: AppendRequest) -> Any:
    conn = await asyncpg.connect(POSTGRES_URL, server_settings={"search_path": store.schema})
    try:
        return await append_predicted(
            conn, [request], known, algorithm="sha256", channel=sql.channel(store.schema)
        )
    finally:
        await conn.close()
