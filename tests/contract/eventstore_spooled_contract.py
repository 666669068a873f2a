"""The port's spooled append, on every adapter: the same guarantees as ``append`` for events
read one at a time from a spool while they are written (part of ``EventStoreContract``)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator, Sequence

import pytest

from infra.eventstore.port import (
    NO_STREAM,
    EventIdConflict,
    EventStore,
    EventStoreError,
    NewEvent,
    WrongExpectedVersion,
)
from infra.eventstore.spool import EventSpool
from infra.eventstore.verify import verify_store


def _event(n: int) -> NewEvent:
    data = json.dumps({"n": n, "text": "清册" * n}, ensure_ascii=False).encode()
    return NewEvent(uuid.uuid4(), "Spooled", 1, data, b'{"actor":"system:test"}')


def spool_of(events: Sequence[NewEvent]) -> EventSpool:
    spool = EventSpool()
    for event in events:
        spool.add(event)
    return spool


class _Spool:
    """A spool that misbehaves while it is read: fails after ``fail_after`` events, yields
    ``swapped`` in place of its last event, or sleeps before each event."""

    def __init__(
        self,
        events: Sequence[NewEvent],
        *,
        fail_after: int | None = None,
        swapped: NewEvent | None = None,
        pause: float = 0.0,
    ) -> None:
        self.events, self.fail_after, self.swapped, self.pause = events, fail_after, swapped, pause

    @property
    def event_ids(self) -> Sequence[uuid.UUID]:
        return [event.event_id for event in self.events]

    def __iter__(self) -> Iterator[NewEvent]:
        for n, event in enumerate(self.events):
            if n == self.fail_after:
                raise OSError("spool unreadable")
            time.sleep(self.pause)
            last = n == len(self.events) - 1
            yield self.swapped if last and self.swapped is not None else event


class SpooledAppendContract:
    async def test_a_spooled_append_stores_the_events_as_an_append_would(self, store: EventStore):
        sent = [_event(n) for n in range(5)]
        with spool_of(sent) as spool:
            result = await store.append_spooled("s-1", spool, expected_version=NO_STREAM)
        stored = await store.read_stream("s-1")
        assert [(e.event_id, e.data, e.metadata) for e in stored] == [
            (e.event_id, e.data, e.metadata) for e in sent
        ]
        assert result.stream_version == 5
        assert (result.first_position, result.last_position) == (
            stored[0].position,
            stored[-1].position,
        )
        await store.append("s-1", [_event(9)], expected_version=5)
        assert (await verify_store(store)).intact

    async def test_a_spooled_append_needs_the_expected_version(self, store: EventStore):
        await store.append("s-1", [_event(0)], expected_version=NO_STREAM)
        with spool_of([_event(1), _event(2)]) as spool, pytest.raises(WrongExpectedVersion):
            await store.append_spooled("s-1", spool, expected_version=NO_STREAM)
        assert len(await store.read_stream("s-1")) == 1

    async def test_a_retried_spooled_append_is_a_no_op_with_the_first_answer(self, store):
        sent = [_event(n) for n in range(3)]
        with spool_of(sent) as spool:
            first = await store.append_spooled("s-1", spool, expected_version=NO_STREAM)
            await store.append("s-1", [_event(7)], expected_version=3)
            assert await store.append_spooled("s-1", spool, expected_version=NO_STREAM) == first
        assert await store.append("s-1", sent, expected_version=NO_STREAM) == first
        assert len(await store.read_stream("s-1")) == 4

    async def test_a_spool_reusing_stored_ids_elsewhere_is_a_conflict(self, store: EventStore):
        sent = [_event(n) for n in range(2)]
        await store.append("s-1", sent, expected_version=NO_STREAM)
        with spool_of(sent) as spool, pytest.raises(EventIdConflict):
            await store.append_spooled("s-2", spool, expected_version=NO_STREAM)
        assert await store.read_stream("s-2") == []

    async def test_an_empty_spool_is_refused(self, store: EventStore):
        with EventSpool() as spool, pytest.raises(ValueError, match="at least one event"):
            await store.append_spooled("s-1", spool, expected_version=NO_STREAM)

    async def test_a_spool_that_fails_part_way_stores_nothing(self, store: EventStore):
        broken = _Spool([_event(n) for n in range(4)], fail_after=2)
        with pytest.raises((OSError, EventStoreError)):
            await store.append_spooled("s-1", broken, expected_version=NO_STREAM)
        assert await store.head_position() == 0
        result = await store.append("s-1", [_event(0)], expected_version=NO_STREAM)
        assert (result.stream_version, await store.head_position()) == (1, result.last_position)

    async def test_a_spool_whose_events_are_not_its_ids_stores_nothing(self, store: EventStore):
        swapped = _Spool([_event(n) for n in range(3)], swapped=_event(3))
        with pytest.raises(EventStoreError, match="spool changed"):
            await store.append_spooled("s-1", swapped, expected_version=NO_STREAM)
        assert await store.read_stream("s-1") == []

    async def test_a_spooled_append_failing_at_the_last_moment_stores_nothing(self, store):
        if not hasattr(store, "before_commit"):
            pytest.skip("this adapter exposes no commit hook (the server commits)")

        async def fail() -> None:
            raise RuntimeError("disk on fire")

        store.before_commit = fail
        with spool_of([_event(0), _event(1)]) as spool, pytest.raises(RuntimeError):
            await store.append_spooled("s-1", spool, expected_version=NO_STREAM)
        store.before_commit = None
        assert await store.head_position() == 0

    async def test_appends_during_a_spooled_append_wait_for_it_and_keep_the_order(self, store):
        slow = _Spool([_event(n) for n in range(5)], pause=0.05)
        spooled = asyncio.create_task(store.append_spooled("big", slow, expected_version=0))
        await asyncio.sleep(0.05)
        others = [store.append(f"small-{i}", [_event(i)], expected_version=0) for i in range(3)]
        results = await asyncio.wait_for(asyncio.gather(spooled, *others), timeout=60)
        assert results[0].stream_version == 5
        everything = []
        after = 0
        while page := await store.read_all(after=after):
            everything += page
            after = page[-1].position
        assert [e.stream_id for e in everything].count("big") == 5
        big = [n for n, e in enumerate(everything) if e.stream_id == "big"]
        assert big == list(range(big[0], big[0] + 5)), "a spooled append is never interleaved"
