import pytest

from infra.eventstore.memory import MemoryEventStore
from tests.contract.eventstore_contract import EventStoreContract


class TestMemoryEventStore(EventStoreContract):
    persistent = False

    @pytest.fixture
    async def store(self) -> MemoryEventStore:
        return MemoryEventStore()

    async def flip_byte(self, store: MemoryEventStore, position: int) -> None:
        event = store._log[position - 1]
        flipped = bytes([event.data[0] ^ 1]) + event.data[1:]
        store._log[position - 1] = event._replace(data=flipped)

    async def raw_dump(self, store: MemoryEventStore) -> bytes:
        return b"".join(e.stream_id.encode() + e.data + e.metadata for e in store._log)
