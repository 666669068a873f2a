"""Kafka publisher on aiokafka, acknowledged by all in-sync replicas.

``acks="all"`` is set explicitly; the idempotent producer and transactions are explicitly off:
correctness never rests on them (docs/adr/005-at-least-once-bus.md), and the local broker does
not support the idempotent producer. aiokafka keeps one request in flight per partition, so a
retried batch cannot overtake a later one: order per key holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from infra.bus.messages import BusMessage
from infra.bus.publisher import PublishError


class KafkaPublisher:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    @classmethod
    async def connect(cls, bootstrap_servers: str, *, client_id: str = "onecard") -> KafkaPublisher:
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            acks="all",
            enable_idempotence=False,
            linger_ms=0,
            max_batch_size=1_048_576,
            request_timeout_ms=30_000,
        )
        await producer.start()
        return cls(producer)

    async def publish(self, messages: Sequence[BusMessage]) -> None:
        try:
            pending = [
                await self._producer.send(
                    m.topic, m.value, key=m.key, headers=[(k, v) for k, v in m.headers]
                )
                for m in messages
            ]
            await asyncio.gather(*pending)
        except KafkaError as error:
            raise PublishError(f"Kafka did not acknowledge: {error!r}") from error

    async def close(self) -> None:
        await self._producer.stop()
