"""Waiting until a service has taken in what was stored: the question an operator answers with
the relay's checkpoint and the consumer group's lag, since no API of a service says it.

Roster validation reads the registry's register read model, which its consumer fills from the
bus; a roster imported before the last card account was projected would be judged against an
older register. So after entering the register the main job waits until the relay has
published everything stored so far and the service's consumer group has committed every
offset of the topics it reads.
"""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from infra.mainjob.workers import until
from infra.settings import Settings
from infra.wiring import open_store


async def until_consumed(
    settings: Settings, *, service: str, topics: tuple[str, ...], timeout: float
) -> tuple[float, float]:
    """Return once ``service``'s consumers have committed everything stored until now on
    ``topics``: the seconds until the relay had published it, and until the consumers had
    taken it in; :class:`~infra.mainjob.workers.Timeout` otherwise."""
    began = time.monotonic()
    store = await open_store(settings)
    try:
        head = await store.head_position()

        async def relayed() -> bool:
            return await store.load_checkpoint(settings.relay_checkpoint) >= head

        await until(relayed, what="the relay to publish the register", timeout=timeout)
    finally:
        await store.close()
    relayed_after = time.monotonic() - began
    servers = settings.kafka_bootstrap_servers or ""
    admin = AIOKafkaAdminClient(bootstrap_servers=servers)
    reader = AIOKafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False)
    await admin.start()
    await reader.start()
    try:
        await reader.topics()  # the cluster's metadata, so that partitions are known
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(reader.partitions_for_topic(topic) or ())
        ]

        async def caught_up() -> bool:
            ends = await reader.end_offsets(partitions)
            done = await admin.list_consumer_group_offsets(
                f"onecard-{service}", partitions=partitions
            )
            return all((done[tp].offset if tp in done else -1) >= end for tp, end in ends.items())

        await until(caught_up, what=f"the {service} consumers", timeout=timeout, every=0.5)
    finally:
        await asyncio.gather(reader.stop(), admin.close())
    return relayed_after, time.monotonic() - began
