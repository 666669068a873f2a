"""The publisher port: hand messages to the bus and learn that the bus has them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from infra.bus.messages import BusMessage


class PublishError(Exception):
    """The bus did not acknowledge every message; the caller must not checkpoint past them."""


class Publisher(Protocol):
    """At-least-once delivery to the bus, in order per key."""

    async def publish(self, messages: Sequence[BusMessage]) -> None:
        """Return only once the bus acknowledged every message (Kafka: all in-sync replicas).

        Messages with the same key reach the bus in the order given. Raises PublishError when
        any message was not acknowledged; some of them may have been delivered anyway.
        """
        ...

    async def close(self) -> None: ...


class MemoryPublisher:
    """Keeps what it was given, for unit tests; ``fail_next`` simulates an unacknowledged send."""

    def __init__(self) -> None:
        self.sent: list[BusMessage] = []
        self.fail_next = 0

    async def publish(self, messages: Sequence[BusMessage]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            self.sent.extend(messages[: len(messages) // 2])
            raise PublishError("simulated: the broker did not acknowledge")
        self.sent.extend(messages)

    async def close(self) -> None:
        return None
