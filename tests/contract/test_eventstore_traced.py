"""The tracing wrapper keeps the whole contract (it must be invisible but for its spans)."""

import pytest

from infra.eventstore.memory import MemoryEventStore
from infra.eventstore.traced import TracedEventStore
from tests.contract import test_eventstore_memory as memory_suite


class TestTracedEventStore(memory_suite.TestMemoryEventStore):
    @pytest.fixture
    async def store(self) -> TracedEventStore:  # type: ignore[override]
        return TracedEventStore(MemoryEventStore())

    async def flip_byte(self, store: TracedEventStore, position: int) -> None:  # type: ignore[override]
        await super().flip_byte(store.inner, position)  # type: ignore[arg-type]

    async def raw_dump(self, store: TracedEventStore) -> bytes:  # type: ignore[override]
        return await super().raw_dump(store.inner)  # type: ignore[arg-type]
