"""The event store contract on EventStoreDB/KurrentDB (docs/adr/003-kurrentdb-client.md).

The server is ``ONECARD_TEST_ESDB_URL`` (e.g. ``esdb://localhost:2113?tls=false``), else a
throwaway container (``ONECARD_TEST_ESDB_IMAGE``) when a Docker engine answers; without either
the tests skip and say why. A server of your own needs ``--max-append-size`` of at least 8 MiB
for the ten-thousand-event append. Each test writes to a namespace of its own.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from infra.eventstore.kurrent import KurrentEventStore
from infra.eventstore.port import EventStoreError
from tests.conftest import server_missing
from tests.contract.eventstore_contract import EventStoreContract, read_everything

URL_VARIABLE = "ONECARD_TEST_ESDB_URL"
IMAGE = os.environ.get(
    "ONECARD_TEST_ESDB_IMAGE",
    "docker.eventstore.com/kurrent-latest/kurrentdb:25.0.0-x64-8.0-bookworm-slim",
)
IMMUTABLE = (
    "EventStoreDB events are immutable server-side; tampering is covered by the SQL adapters"
)
SERVER_FLAGS = "--insecure --mem-db --max-append-size=16777216"

pytestmark = pytest.mark.esdb


@pytest.fixture(scope="session")
def esdb_url() -> Iterator[str]:
    if url := os.environ.get(URL_VARIABLE):
        yield url
        return
    if (problem := _docker_problem()) is not None:
        reason = f"no {URL_VARIABLE} and no Docker engine ({problem})"
        server_missing("EventStoreDB", reason, required_in_ci=False)
    from testcontainers.core.container import DockerContainer

    container = DockerContainer(IMAGE).with_command(SERVER_FLAGS).with_exposed_ports(2113)
    container.start()
    try:
        host, port = container.get_container_host_ip(), container.get_exposed_port(2113)
        url = f"esdb://{host}:{port}?tls=false"
        asyncio.run(_until_ready(url, within=90))
        yield url
    finally:
        container.stop()


class TestKurrentEventStore(EventStoreContract):
    url: str

    @pytest.fixture
    async def store(self, esdb_url: str) -> AsyncIterator[KurrentEventStore]:
        self.url = esdb_url
        store = await KurrentEventStore.open(esdb_url, namespace=f"test-{uuid.uuid4().hex}")
        try:
            await asyncio.wait_for(store.head_position(), timeout=15)
        except (EventStoreError, TimeoutError) as error:
            await store.close()
            server_missing(
                "EventStoreDB", f"{esdb_url} does not answer: {error!r}"[:300], required_in_ci=False
            )
        yield store
        await store.close()

    async def another(self, store: KurrentEventStore) -> KurrentEventStore:
        return await KurrentEventStore.open(self.url, namespace=store.namespace)

    async def flip_byte(self, store: KurrentEventStore, position: int) -> None:
        pytest.skip(IMMUTABLE)

    async def raw_dump(self, store: KurrentEventStore) -> bytes:
        """The server keeps its files out of reach: dump every event's data and metadata as
        the server hands them out, which is what a copy of its database would hold."""
        return b"".join(
            e.stream_id.encode() + e.data + e.metadata for e in await read_everything(store)
        )


def _docker_problem() -> str | None:
    """Why no Docker engine can run a container here, or None when one answers."""
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception as error:  # any failure means: no engine to use
        return f"{type(error).__name__}: {(str(error).splitlines() or [''])[0][:160]}"
    return None


async def _until_ready(url: str, *, within: float) -> None:
    """A fresh server takes a while to elect itself leader; wait until it answers a read."""
    deadline = time.monotonic() + within
    while True:
        store = await KurrentEventStore.open(url, namespace="readiness")
        try:
            await asyncio.wait_for(store.head_position(), timeout=5)
            return
        except (EventStoreError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1)
        finally:
            await store.close()
