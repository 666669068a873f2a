"""Foundation II end to end: registrations appended to the event store reach publicity's village
register through the relay, Kafka (the local broker) and a Faust agent, each exactly once in
effect, although the relay is killed with SIGKILL midway, everything is delivered twice, and a
poison message turns up on the topic.

Real processes (``onecard serve publicity`` and ``onecard relay``) share one SQLite store file
with this test, which appends as the registry does (its application function) and observes from
outside only: HTTP, the projection file's inbox, Kafka topics and committed offsets.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from contracts.events import BeneficiaryRegistered
from contracts.topics import topic_of
from infra.bus.dead_letter import AUDIT_EVENT_TYPE
from infra.bus.kafka_publisher import KafkaPublisher
from infra.bus.local_broker import free_port
from infra.bus.messages import DEAD_LETTER_SUFFIX, BusMessage
from infra.eventstore.factory import open_event_store
from infra.eventstore.port import EventStore
from infra.settings import Settings
from infra.wiring import make_cipher
from tests.e2e.bus_support import (
    VILLAGES,
    Processes,
    Registrar,
    base_port_for,
    child_environment,
    committed,
    ends_of,
    inbox_rows,
    read_to_end,
    register_sizes,
)
from tests.integration.broker_support import read_topic, start_broker

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(420)]

TOPIC = topic_of(BeneficiaryRegistered.event_type).name
CONSUMER = "publicity-village-register"
GROUP = "onecard-publicity"
RELAY = "relay-e2e"
POISON = b"\x00not a onecard event\xff"
DEADLINE = 120.0


@dataclass
class System:
    """The processes under test and the handles the test observes them with."""

    store: EventStore
    registrar: Registrar
    processes: Processes
    http: httpx.AsyncClient
    bootstrap: str
    projections: Path
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)
    relay: subprocess.Popen[bytes] | None = None

    async def start_publicity(self) -> None:
        self.running.append(self.processes.start("serve", "publicity"))
        await self.eventually(self._answers_health, what="publicity answers /health")

    def start_relay(self) -> subprocess.Popen[bytes]:
        self.relay = self.processes.start("relay")
        self.running.append(self.relay)
        return self.relay

    async def checkpoint(self) -> int:
        return await self.store.load_checkpoint(RELAY)

    async def registered(self) -> int:
        return sum((await register_sizes(self.http)).values())

    def inbox(self) -> int:
        return inbox_rows(self.projections, CONSUMER)

    async def eventually(
        self, condition: Callable[[], Awaitable[bool]], *, what: str, timeout: float = DEADLINE
    ) -> None:
        """Wait until ``condition`` holds, failing after ``timeout`` or if a process died."""
        deadline = time.monotonic() + timeout
        while not await condition():
            for process in self.running:
                if process.returncode is None:  # those the test stopped are reaped already
                    self.processes.assert_running(process)
            assert time.monotonic() < deadline, f"not within {timeout:g}s: {what}"
            await asyncio.sleep(0.2)

    async def _answers_health(self) -> bool:
        try:
            return (await self.http.get("/health")).status_code == 200
        except httpx.TransportError:
            return False


@pytest.fixture
async def system(tmp_path: Path) -> AsyncIterator[System]:
    port = free_port()
    settings = Settings(
        data_dir=tmp_path,
        event_store_url=f"sqlite:///{tmp_path}/events.db",
        projection_db_url=f"sqlite+aiosqlite:///{tmp_path}/{{service}}-projections.db",
    )
    async with AsyncExitStack() as stack:
        broker = start_broker(tmp_path / "broker.log")
        stack.callback(broker.stop)
        env = child_environment(
            data_dir=str(tmp_path),
            event_store_url=settings.event_store_url,
            projection_db_url=settings.projection_db_url,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            http_base_port=str(base_port_for("publicity", port)),
            relay_checkpoint=RELAY,
        )
        processes = Processes(env=env, log_dir=tmp_path)
        stack.callback(processes.close)
        store = await open_event_store(settings.event_store_url)
        stack.push_async_callback(store.close)
        http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10)
        stack.push_async_callback(http.aclose)
        registrar = Registrar(store=store, cipher=make_cipher(settings))  # writes the key file
        projections = tmp_path / "publicity-projections.db"
        yield System(store, registrar, processes, http, broker.bootstrap_servers, projections)


async def test_each_registration_reaches_the_village_register_once_through_crash_replay_and_poison(
    system: System,
) -> None:
    await system.start_publicity()
    await registrations_survive_a_relay_killed_midway(system)
    await delivering_everything_again_changes_nothing(system)
    await a_poison_message_is_dead_lettered_and_the_rest_flow_on(system)


async def registrations_survive_a_relay_killed_midway(system: System) -> None:
    relay = system.start_relay()
    await system.registrar.register(range(500))

    async def checkpointed() -> bool:
        return await system.checkpoint() > 0

    await system.eventually(checkpointed, what="the relay saved a checkpoint")
    assert await system.processes.kill(relay) == -signal.SIGKILL
    await system.registrar.register(range(500, 1_000))
    assert 0 < await system.checkpoint() < await system.store.head_position()

    system.start_relay()
    await system.eventually(projected(system, 1_000), what="1,000 people on the registers")
    assert await register_sizes(system.http) == dict.fromkeys(VILLAGES, 100)
    assert system.inbox() == 1_000


async def delivering_everything_again_changes_nothing(system: System) -> None:
    assert system.relay is not None
    assert await system.processes.stop(system.relay) == 0
    await system.store.save_checkpoint(RELAY, 0)
    system.start_relay()
    head = await system.store.head_position()

    async def relayed_again() -> bool:
        return await system.checkpoint() >= head

    await system.eventually(relayed_again, what="the relay republished the whole log")
    published = await read_to_end(system.bootstrap, TOPIC, at_least=2_000)
    assert len(published) >= 2_000  # every registration is on the topic at least twice
    ends = ends_of(published)

    async def consumed_all() -> bool:
        offsets = await committed(system.bootstrap, group=GROUP, topic=TOPIC, partitions=ends)
        return offsets == ends

    await system.eventually(consumed_all, what="publicity consumed the second delivery")
    await asyncio.sleep(2)  # past a commit interval: late effects would show now
    assert await system.registered() == 1_000
    assert system.inbox() == 1_000


async def a_poison_message_is_dead_lettered_and_the_rest_flow_on(system: System) -> None:
    publisher = await KafkaPublisher.connect(system.bootstrap)
    try:
        await publisher.publish([BusMessage(TOPIC, b"poison", POISON, [])])
    finally:
        await publisher.close()
    await system.registrar.register([1_000])

    await system.eventually(projected(system, 1_001), what="the registration after the poison")
    assert system.inbox() == 1_001
    (dead,) = await read_topic(system.bootstrap, TOPIC + DEAD_LETTER_SUFFIX, at_least=1)
    assert (dead.key, dead.value) == (b"poison", POISON)
    assert dict(dead.headers)["deadletter_consumer"] == CONSUMER.encode()
    (audit,) = await system.store.read_stream(f"deadletter-{CONSUMER}")
    assert audit.event_type == AUDIT_EVENT_TYPE


def projected(system: System, count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await system.registered() >= count

    return check
