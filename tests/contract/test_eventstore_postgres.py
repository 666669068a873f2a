import asyncio
import io
from collections.abc import AsyncIterator

import pytest

from infra.eventstore.port import NO_STREAM
from infra.eventstore.postgres import PostgresEventStore
from infra.eventstore.verify import verify_store
from tests.conftest import POSTGRES_URL, postgres_admin
from tests.contract.eventstore_contract import EventStoreContract, events, read_everything

pytestmark = pytest.mark.postgres


class TestPostgresEventStore(EventStoreContract):
    @pytest.fixture
    async def store(self, schema: str) -> AsyncIterator[PostgresEventStore]:
        store = await PostgresEventStore.open(POSTGRES_URL, schema=schema)
        try:
            yield store
        finally:
            await store.close()

    async def another(self, store: PostgresEventStore) -> PostgresEventStore:
        return await PostgresEventStore.open(POSTGRES_URL, schema=store.schema)

    async def flip_byte(self, store: PostgresEventStore, position: int) -> None:
        admin = await postgres_admin()
        try:
            await admin.execute(
                f'UPDATE "{store.schema}".events'
                " SET data = set_byte(data, 0, get_byte(data, 0) # 1) WHERE position = $1",
                position,
            )
        finally:
            await admin.close()

    async def raw_dump(self, store: PostgresEventStore) -> bytes:
        """Every table of the store's schema as binary COPY: the bytes the server holds."""
        admin = await postgres_admin()
        try:
            dumped = io.BytesIO()
            for table in ("events", "streams", "log_head", "checkpoints"):
                await admin.copy_from_table(
                    table, schema_name=store.schema, output=dumped, format="binary"
                )
            return dumped.getvalue()
        finally:
            await admin.close()

    async def test_two_instances_opened_at_once_on_a_new_schema_both_work(self, schema):
        first, second = await asyncio.gather(
            *(PostgresEventStore.open(POSTGRES_URL, schema=schema) for _ in range(2))
        )
        try:
            await first.append("a", events(2), expected_version=NO_STREAM)
            await second.append("b", events(1), expected_version=NO_STREAM)
            assert [e.position for e in await read_everything(first)] == [1, 2, 3]
        finally:
            await first.close()
            await second.close()

    async def test_a_foreign_transaction_holding_the_log_head_delays_appends_in_order(
        self, store: PostgresEventStore
    ):
        await store.append("before", events(1), expected_version=NO_STREAM)
        blocker = await postgres_admin()
        try:
            locked = blocker.transaction()
            await locked.start()
            await blocker.execute(f'SELECT * FROM "{store.schema}".log_head FOR UPDATE')
            pending = [
                asyncio.create_task(store.append(f"s-{i}", events(2), expected_version=0))
                for i in range(3)
            ]
            await asyncio.sleep(0.3)
            assert not any(task.done() for task in pending)
            assert [e.stream_id for e in await read_everything(store)] == ["before"]
            await locked.rollback()
            await asyncio.wait_for(asyncio.gather(*pending), timeout=10)
        finally:
            await blocker.close()
        positions = [e.position for e in await read_everything(store)]
        assert positions == list(range(1, 8))

    async def test_an_append_survives_the_loss_of_the_writer_connection(
        self, store: PostgresEventStore
    ):
        await store.append("s-1", events(1), expected_version=NO_STREAM)
        admin = await postgres_admin()
        try:
            writer_pid = store._writer._conn.get_server_pid()
            await admin.execute("SELECT pg_terminate_backend($1)", writer_pid)
        finally:
            await admin.close()
        result = await store.append("s-1", events(1), expected_version=1)
        assert (result.stream_version, result.last_position) == (2, 2)

    async def test_a_dropped_listen_connection_is_opened_again_and_wakes_waiters(
        self, store: PostgresEventStore
    ):
        await store.append("before", events(1), expected_version=NO_STREAM)
        dropped = store._listener
        admin = await postgres_admin()
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", dropped.get_server_pid())
        finally:
            await admin.close()
        async with asyncio.timeout(10):
            while store._listener is dropped or not store.listening:
                await asyncio.sleep(0.02)
        writer = await self.another(store)
        try:
            waiting = asyncio.create_task(store.wait_for_append(after=1, timeout=60))
            await asyncio.sleep(0.2)
            assert not waiting.done()
            await writer.append("after", events(1), expected_version=NO_STREAM)
            await asyncio.wait_for(waiting, timeout=5)  # a NOTIFY, not the 60 s timeout
        finally:
            await writer.close()

    async def test_recorded_at_round_trips_to_the_microsecond_in_utc(
        self, store: PostgresEventStore
    ):
        await store.append("s-1", events(1), expected_version=NO_STREAM)
        (event,) = await store.read_stream("s-1")
        assert event.recorded_at.utcoffset() is not None
        assert event.recorded_at.utcoffset().total_seconds() == 0
        assert (await verify_store(store)).intact
