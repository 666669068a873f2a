"""The one contract every EventStore adapter must keep (subclassed per adapter).

A subclass provides four things: a ``store`` fixture yielding a fresh, empty store;
``another``, a second independent instance on the same data (its own connections: a second
process as far as the backend can tell); ``flip_byte``, which corrupts one stored byte behind
the store's back; and ``raw_dump``, every byte the backend holds for the store, read around it
(a file, a table dump). ``persistent = False`` marks a store whose data does not outlive its
instance.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import AsyncIterator
from typing import ClassVar

import pytest

from contracts.events import EVENTS
from infra.eventcodec import EventCodec
from infra.eventstore.port import (
    ANY_VERSION,
    NO_STREAM,
    EventIdConflict,
    EventStore,
    NewEvent,
    RecordedEvent,
    WrongExpectedVersion,
)
from infra.eventstore.verify import verify_store
from tests.contract.eventstore_spooled_contract import SpooledAppendContract
from tests.unit.contract_samples import (
    ACCOUNT_NO,
    CITIZEN_ID,
    PHONE_NO,
    SAMPLES,
    envelope_of,
    memory_cipher,
)


def new_event(n: int = 0, *, text: str = "", event_type: str = "Tested") -> NewEvent:
    data = json.dumps({"n": n, "text": text}, ensure_ascii=False).encode()
    return NewEvent(uuid.uuid4(), event_type, 1, data, b'{"actor":"system:test"}')


def events(count: int, **kwargs: str) -> list[NewEvent]:
    return [new_event(n, **kwargs) for n in range(count)]


def numbers(recorded: list[RecordedEvent]) -> list[int]:
    return [json.loads(e.data)["n"] for e in recorded]


async def read_everything(store: EventStore, *, after: int = 0) -> list[RecordedEvent]:
    seen: list[RecordedEvent] = []
    while page := await store.read_all(after=after, limit=1000):
        seen.extend(page)
        after = page[-1].position
    return seen


class EventStoreContract(SpooledAppendContract):
    persistent: ClassVar[bool] = True

    @pytest.fixture
    async def store(self) -> AsyncIterator[EventStore]:
        """A fresh, empty store; closed and removed after the test."""
        raise NotImplementedError

    async def another(self, store: EventStore) -> EventStore:
        raise NotImplementedError

    async def flip_byte(self, store: EventStore, position: int) -> None:
        raise NotImplementedError

    async def raw_dump(self, store: EventStore) -> bytes:
        raise NotImplementedError

    # -- appending and optimistic concurrency --------------------------------------------

    async def test_append_to_a_new_stream_numbers_versions_from_one(self, store: EventStore):
        result = await store.append("s-1", events(3), expected_version=NO_STREAM)
        assert result.stream_version == 3
        assert result.last_position > result.first_position
        if store.gap_free_positions:
            assert result.last_position - result.first_position == 2
        assert [e.stream_version for e in await store.read_stream("s-1")] == [1, 2, 3]

    async def test_wrong_expected_version_is_a_typed_error_and_stores_nothing(self, store):
        await store.append("s-1", events(2), expected_version=NO_STREAM)
        with pytest.raises(WrongExpectedVersion) as raised:
            await store.append("s-1", events(1), expected_version=1)
        assert (raised.value.expected, raised.value.actual) == (1, 2)
        with pytest.raises(WrongExpectedVersion):
            await store.append("s-1", events(1), expected_version=NO_STREAM)
        assert len(await store.read_stream("s-1")) == 2
        assert await store.head_position() == (await store.read_stream("s-1"))[-1].position

    async def test_appending_to_an_existing_stream_needs_its_current_version(self, store):
        await store.append("s-1", events(1), expected_version=NO_STREAM)
        result = await store.append("s-1", events(1), expected_version=1)
        assert result.stream_version == 2

    async def test_any_version_appends_wherever_the_stream_is(self, store):
        await store.append("log", events(1), expected_version=ANY_VERSION)
        result = await store.append("log", events(2), expected_version=ANY_VERSION)
        assert result.stream_version == 3

    async def test_an_empty_append_is_refused(self, store):
        with pytest.raises(ValueError, match="at least one event"):
            await store.append("s-1", [], expected_version=NO_STREAM)

    # -- idempotent retries -----------------------------------------------------------

    async def test_reappending_the_same_event_ids_is_a_no_op_with_the_first_answer(self, store):
        batch = events(3)
        first = await store.append("s-1", batch, expected_version=NO_STREAM)
        again = await store.append("s-1", batch, expected_version=NO_STREAM)
        assert again == first
        assert len(await store.read_stream("s-1")) == 3
        assert await store.head_position() == first.last_position

    async def test_a_retry_after_the_stream_moved_on_is_still_a_no_op(self, store):
        batch = events(2)
        first = await store.append("s-1", batch, expected_version=NO_STREAM)
        await store.append("s-1", events(1), expected_version=2)
        assert await store.append("s-1", batch, expected_version=NO_STREAM) == first

    async def test_reusing_some_stored_event_ids_is_a_conflict(self, store):
        batch = events(2)
        await store.append("s-1", batch, expected_version=NO_STREAM)
        with pytest.raises(EventIdConflict):
            await store.append("s-1", [batch[1], new_event()], expected_version=2)
        with pytest.raises(EventIdConflict):
            await store.append("s-2", batch, expected_version=NO_STREAM)
        assert await store.read_stream("s-2") == []

    async def test_the_same_event_id_twice_in_one_append_is_refused(self, store):
        event = new_event()
        with pytest.raises(EventIdConflict):
            await store.append("s-1", [event, event], expected_version=NO_STREAM)

    # -- reading --------------------------------------------------------------------------

    async def test_read_stream_forwards_backwards_from_and_limited(self, store):
        await store.append("s-1", events(5), expected_version=NO_STREAM)
        assert numbers(await store.read_stream("s-1")) == [0, 1, 2, 3, 4]
        assert numbers(await store.read_stream("s-1", from_version=3)) == [2, 3, 4]
        assert numbers(await store.read_stream("s-1", from_version=2, limit=2)) == [1, 2]
        assert numbers(await store.read_stream("s-1", backwards=True)) == [4, 3, 2, 1, 0]
        backwards = await store.read_stream("s-1", backwards=True, from_version=3, limit=2)
        assert numbers(backwards) == [2, 1]
        assert await store.read_stream("unknown") == []

    async def test_read_all_is_in_position_order_across_streams(self, store):
        await store.append("a", events(2), expected_version=NO_STREAM)
        await store.append("b", events(2), expected_version=NO_STREAM)
        await store.append("a", events(1), expected_version=2)
        everything = await read_everything(store)
        assert [e.stream_id for e in everything] == ["a", "a", "b", "b", "a"]
        positions = [e.position for e in everything]
        assert positions == sorted(positions)
        if store.gap_free_positions:
            assert positions == [1, 2, 3, 4, 5]
        after_two = await store.read_all(after=positions[1], limit=2)
        assert [e.position for e in after_two] == positions[2:4]

    async def test_recorded_events_keep_every_field(self, store):
        sent = new_event(7, text="x")
        await store.append("s-1", [sent], expected_version=NO_STREAM)
        (got,) = await store.read_stream("s-1")
        assert (got.event_id, got.event_type, got.schema_version) == (
            sent.event_id,
            sent.event_type,
            sent.schema_version,
        )
        assert (got.data, got.metadata) == (sent.data, sent.metadata)
        assert got.recorded_at.tzinfo is not None
        assert got.hash.split(":")[0] in {"sha256", "sm3"}

    async def test_a_batch_of_ten_thousand_events_is_one_atomic_append(self, store):
        result = await store.append("big", events(10_000), expected_version=NO_STREAM)
        assert result.stream_version == 10_000
        stored = await store.read_stream("big")
        assert numbers(stored) == list(range(10_000))
        assert len(await read_everything(store)) == 10_000

    async def test_chinese_text_round_trips_in_streams_types_and_data(self, store):
        text = "新疆维吾尔自治区·耕地地力保护补贴 ¥123.45 𠀀"
        event = new_event(1, text=text, event_type="补贴已发放")
        await store.append("花名册-乌鲁木齐-001", [event], expected_version=NO_STREAM)
        (got,) = await store.read_stream("花名册-乌鲁木齐-001")
        assert json.loads(got.data)["text"] == text
        assert got.event_type == "补贴已发放"
        assert (await read_everything(store))[0].stream_id == "花名册-乌鲁木齐-001"

    async def test_quotes_and_backslashes_in_stream_ids_are_kept_literally(self, store):
        awkward = ["o'brien", "back\\slash", "'); DROP TABLE events; --", "$$dollar$$"]
        for stream_id in awkward:
            await store.append(stream_id, events(2), expected_version=NO_STREAM)
            await store.append(stream_id, events(1), expected_version=2)
        for stream_id in awkward:
            assert [e.stream_version for e in await store.read_stream(stream_id)] == [1, 2, 3]
        assert sorted({e.stream_id for e in await read_everything(store)}) == sorted(awkward)
        assert (await verify_store(store)).intact

    # -- subscriptions and checkpoints ---------------------------------------------------

    async def test_subscription_catches_up_then_delivers_live(self, store):
        await store.append("s-1", events(3), expected_version=NO_STREAM)
        received: list[RecordedEvent] = []

        async def listen() -> None:
            async for event in store.subscribe(after=0, batch_size=2):
                received.append(event)
                if len(received) == 5:
                    return

        listener = asyncio.create_task(listen())
        await asyncio.sleep(0.2)
        await store.append("s-2", events(2), expected_version=NO_STREAM)
        await asyncio.wait_for(listener, timeout=10)
        assert [e.stream_id for e in received] == ["s-1"] * 3 + ["s-2"] * 2

    async def test_a_checkpoint_survives_reopening_and_resumes_the_subscription(self, store):
        await store.append("s-1", events(4), expected_version=NO_STREAM)
        everything = await read_everything(store)
        await store.save_checkpoint("projector", everything[1].position)
        await store.save_checkpoint("projector", everything[2].position)
        reopened = await self.another(store) if self.persistent else store
        try:
            resumed_at = await reopened.load_checkpoint("projector")
            assert resumed_at == everything[2].position
            assert await reopened.load_checkpoint("never-saved") == 0
            subscription = reopened.subscribe(after=resumed_at)
            first = await asyncio.wait_for(anext(subscription), timeout=10)
            assert first.event_id == everything[3].event_id
            await subscription.aclose()  # type: ignore[attr-defined]
        finally:
            if reopened is not store:
                await reopened.close()

    async def test_reopening_the_store_keeps_every_event(self, store):
        if not self.persistent:
            pytest.skip("this store keeps its events only in memory")
        await store.append("s-1", events(3, text="留存"), expected_version=NO_STREAM)
        before = await read_everything(store)
        reopened = await self.another(store)
        try:
            assert await read_everything(reopened) == before
            await reopened.append("s-1", events(1), expected_version=3)
        finally:
            await reopened.close()

    # -- concurrency ----------------------------------------------------------------------

    async def test_of_concurrent_writers_on_one_stream_exactly_one_wins(self, store):
        other = await self.another(store) if self.persistent else store
        try:
            writers = [store, other] * 5
            attempts = [w.append("contested", events(2), expected_version=0) for w in writers]
            outcomes = await asyncio.gather(*attempts, return_exceptions=True)
        finally:
            if other is not store:
                await other.close()
        winners = [o for o in outcomes if not isinstance(o, BaseException)]
        losers = [o for o in outcomes if isinstance(o, WrongExpectedVersion)]
        assert (len(winners), len(losers)) == (1, 9)
        assert len(await store.read_stream("contested")) == 2

    async def test_a_reader_never_skips_an_event_whose_commit_is_delayed(self, store):
        """Hold one append open inside its transaction while others commit: a reader asking
        for "everything after the last position I saw" must still see it."""
        if not hasattr(store, "before_commit"):
            pytest.skip("this adapter exposes no commit hook (the server orders commits)")
        held, release = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            held.set()
            await release.wait()

        store.before_commit = hold  # type: ignore[attr-defined]
        other = await self.another(store) if self.persistent else store
        seen: list[RecordedEvent] = []
        reading = asyncio.create_task(_read_until(other, seen, count=6))
        try:
            slow = asyncio.create_task(store.append("slow", events(3), expected_version=0))
            await asyncio.wait_for(held.wait(), timeout=10)
            store.before_commit = None  # type: ignore[attr-defined]
            fast = [
                asyncio.create_task(other.append(f"fast-{i}", events(1), expected_version=0))
                for i in range(3)
            ]
            await asyncio.sleep(0.5)
            release.set()
            await asyncio.wait_for(asyncio.gather(slow, *fast), timeout=30)
            await asyncio.wait_for(reading, timeout=30)
        finally:
            reading.cancel()
            if other is not store:
                await other.close()
        assert sorted(e.stream_id for e in seen) == ["fast-0", "fast-1", "fast-2"] + ["slow"] * 3
        assert [e.position for e in seen] == sorted(e.position for e in seen)

    async def test_a_commit_that_fails_at_the_last_moment_stores_nothing(self, store):
        if not hasattr(store, "before_commit"):
            pytest.skip("this adapter exposes no commit hook (the server commits)")

        async def fail() -> None:
            raise RuntimeError("disk on fire")

        store.before_commit = fail
        with pytest.raises(RuntimeError, match="disk on fire"):
            await store.append("s-1", events(2), expected_version=NO_STREAM)
        store.before_commit = None
        assert await store.head_position() == 0
        result = await store.append("s-1", events(1), expected_version=NO_STREAM)
        assert (result.first_position, result.stream_version) == (1, 1)
        await store.save_checkpoint("projector", 1)
        assert await store.load_checkpoint("projector") == 1

    async def test_sixteen_concurrent_appenders_every_reader_sees_every_event_in_order(self, store):
        others = [await self.another(store) for _ in range(3)] if self.persistent else []
        writers = [store, *others]
        committed: list[tuple[str, int]] = []
        rng = random.Random(16)

        async def appender(worker: int) -> None:
            writer = writers[worker % len(writers)]
            for round_ in range(12):
                stream = f"shared-{rng.randrange(4)}" if round_ % 3 == 0 else f"own-{worker}"
                while True:
                    current = len(await writer.read_stream(stream))
                    await asyncio.sleep(rng.random() / 200)
                    try:
                        result = await writer.append(
                            stream, events(rng.randrange(1, 4)), expected_version=current
                        )
                    except WrongExpectedVersion:
                        continue
                    committed.append((stream, result.stream_version))
                    break

        seen: list[RecordedEvent] = []
        reader = asyncio.create_task(_follow(writers[-1], seen))
        try:
            await asyncio.wait_for(asyncio.gather(*(appender(w) for w in range(16))), 120)
            total = sum(version for _, version in _last_versions(committed).items())
            await asyncio.wait_for(_until(lambda: len(seen) >= total), timeout=30)
        finally:
            reader.cancel()
            for other in others:
                await other.close()
        assert len(seen) == total == len(await read_everything(store))
        positions = [e.position for e in seen]
        assert positions == sorted(set(positions))
        if store.gap_free_positions:
            assert positions == list(range(positions[0], positions[0] + total))
        for stream, version in _last_versions(committed).items():
            versions = [e.stream_version for e in seen if e.stream_id == stream]
            assert versions == list(range(1, version + 1))

    # -- personal data ----------------------------------------------------------------------

    async def test_no_plaintext_id_account_or_phone_reaches_the_stored_bytes(self, store):
        codec = EventCodec(registry=EVENTS, cipher=memory_cipher())
        for n, event in enumerate(SAMPLES):
            envelope = envelope_of(event, stream_id=f"pii-{n}")
            await store.append(envelope.stream_id, [codec.encode(envelope)], expected_version=0)
        dumped = await self.raw_dump(store)
        assert b"b-1" in dumped, "the dump must hold the events it is scanned for"
        for secret in (CITIZEN_ID, ACCOUNT_NO, PHONE_NO):
            for form in (secret, secret.lower(), secret[:6] + secret[-8:]):
                assert form.encode() not in dumped
                assert form.encode("utf-16-le") not in dumped

    # -- tamper evidence ------------------------------------------------------------------

    async def test_verify_accepts_an_untouched_store(self, store):
        await store.append("a", events(3), expected_version=NO_STREAM)
        await store.append("b", events(2, text="校验"), expected_version=NO_STREAM)
        report = await verify_store(store)
        assert report.intact
        assert (report.events, report.streams) == (5, 2)

    async def test_verify_names_the_position_of_a_single_flipped_byte(self, store):
        await store.append("a", events(3), expected_version=NO_STREAM)
        await store.append("b", events(3), expected_version=NO_STREAM)
        target = (await store.read_stream("b"))[1].position
        await self.flip_byte(store, target)
        report = await verify_store(store)
        assert report.first_break is not None
        assert report.first_break.position == target


async def _read_until(store: EventStore, seen: list[RecordedEvent], *, count: int) -> None:
    """A naive poller: "everything after the last position I saw", as projectors read."""
    after = 0
    while len(seen) < count:
        page = await store.read_all(after=after, limit=100)
        seen.extend(page)
        after = page[-1].position if page else after
        await asyncio.sleep(0.01)


async def _follow(store: EventStore, seen: list[RecordedEvent]) -> None:
    async for event in store.subscribe(after=0, batch_size=50):
        seen.append(event)


async def _until(condition, *, interval: float = 0.05) -> None:  # type: ignore[no-untyped-def]
    while not condition():
        await asyncio.sleep(interval)


def _last_versions(committed: list[tuple[str, int]]) -> dict[str, int]:
    last: dict[str, int] = {}
    for stream, version in committed:
        last[stream] = max(version, last.get(stream, 0))
    return last
