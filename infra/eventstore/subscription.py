"""Catch-up subscriptions built on the two reads every adapter has."""

from __future__ import annotations

from collections.abc import AsyncIterator

from infra.eventstore.port import EventStore, RecordedEvent


async def catch_up(
    store: EventStore, *, after: int, batch_size: int, idle_wait: float = 1.0
) -> AsyncIterator[RecordedEvent]:
    """Every event after ``after`` in log order: history first, then live as it commits.

    Reads in pages and waits on the adapter's wake-up hint when it runs dry, so it neither
    busy-polls nor misses an append whose notification was lost (the wait times out).
    """
    position = after
    while True:
        page = await store.read_all(after=position, limit=batch_size)
        for event in page:
            yield event
            position = event.position
        if len(page) < batch_size:
            await store.wait_for_append(after=position, timeout=idle_wait)
