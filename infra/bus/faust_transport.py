"""Faust's Kafka transport with a short fetch wait.

Faust builds its aiokafka consumer with ``fetch_max_wait_ms=1500`` and no setting for it. The
local broker (Tansu) answers a waiting fetch only when that wait ends, not when a record
arrives, which put 0.5-1.5 s between a message's acknowledgement and its consumption
(bench/bus.py, ADR 006). On real Kafka a fetch returns as soon as data arrives, so a short wait
only means more frequent polls while idle.
"""

from __future__ import annotations

from typing import Any, Final

from faust.transport import drivers
from faust.transport.drivers import aiokafka as faust_kafka

FETCH_MAX_WAIT_MS: Final = 20
SCHEME: Final = "onecard-kafka"


class _ConsumerThread(faust_kafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read by aiokafka when it starts
        return consumer


class _Consumer(faust_kafka.Consumer):
    def _new_consumer_thread(self) -> _ConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(faust_kafka.Transport):
    Consumer = _Consumer


drivers.TRANSPORTS.aliases[SCHEME] = f"{__name__}:Transport"
