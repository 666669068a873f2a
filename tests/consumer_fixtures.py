"""Fixtures of the consumer tests (unit and broker): an IdempotentConsumer on a SQLite
projection file. Loaded as a plugin by tests/conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from infra.bus.consumer import IdempotentConsumer
from tests.unit.consumer_harness import Harness, open_harness


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await open_harness(tmp_path)
    yield harness
    await harness.database.close()


@pytest.fixture
async def consumer(harness: Harness) -> IdempotentConsumer:
    consumer = harness.consumer()
    await consumer.create_tables()
    return consumer
