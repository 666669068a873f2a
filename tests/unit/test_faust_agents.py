"""The Faust agent, through ``agent.test_context()``: bytes in, a batch out, acks held back
until the consumer has dealt with the batch."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from infra.bus.consumed import ConsumedMessage
from infra.bus.faust_agents import bind_consumer, make_faust_app
from tests.unit.consumer_harness import Harness, open_harness, sample_messages

TOPIC = "onecard.registry.beneficiaries"


class Recorder:
    name = "publicity-notices"

    def __init__(self, *, fail: bool = False) -> None:
        self.batches: list[Sequence[ConsumedMessage]] = []
        self.fail = fail

    async def handle_batch(self, messages: Sequence[ConsumedMessage]) -> None:
        self.batches.append(messages)
        if self.fail:
            raise RuntimeError("simulated: the batch could not be handled")


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await open_harness(tmp_path)
    yield harness
    await harness.database.close()


def _as_the_conductor_delivers(context: Any) -> Any:
    """The real conductor holds one reference per stream on each message it hands over
    (``faust/transport/conductor.py``); the test channel holds none. Hold it here too, so
    acknowledgements count as they do in production."""
    to_message = context.to_message

    def delivered(*args: Any, **kwargs: Any) -> Any:
        message = to_message(*args, **kwargs)
        message.incref()
        return message

    context.to_message = delivered
    return context


async def _until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_the_agent_is_named_after_the_consumer(tmp_path) -> None:
    app = make_faust_app("publicity", bootstrap_servers="127.0.0.1:9", data_dir=tmp_path)
    agent = bind_consumer(app, Recorder(), [TOPIC])
    assert agent.name == "on_publicity_notices"
    assert app.conf.producer_acks == -1
    assert not app.conf.web_enabled


async def test_the_agent_hands_messages_over_as_they_came(tmp_path) -> None:
    app = make_faust_app("publicity", bootstrap_servers="127.0.0.1:9", data_dir=tmp_path)
    recorder = Recorder()
    agent = bind_consumer(app, recorder, [TOPIC], within=0.01)
    sent = (await sample_messages())[:2]
    async with agent.test_context() as raw:
        context = _as_the_conductor_delivers(raw)
        events = [
            await context.put(value=m.value, key=m.key, headers=list(m.headers), wait=False)
            for m in sent
        ]
        await _until(lambda: all(event.message.acked for event in events))
    received = [message for batch in recorder.batches for message in batch]
    assert [(m.topic, m.offset, m.key, m.value) for m in received] == [
        (TOPIC, n, m.key, m.value) for n, m in enumerate(sent)
    ]
    assert dict(received[0].headers)["event_id"] == dict(sent[0].headers)["event_id"]


async def test_a_batch_the_consumer_raised_on_is_never_acknowledged(tmp_path) -> None:
    app = make_faust_app("publicity", bootstrap_servers="127.0.0.1:9", data_dir=tmp_path)
    recorder = Recorder(fail=True)
    agent = bind_consumer(app, recorder, [TOPIC], within=0.01)
    (message, *_) = await sample_messages()
    async with agent.test_context() as raw:
        context = _as_the_conductor_delivers(raw)
        event = await context.put(value=message.value, key=message.key, wait=False)
        await _until(lambda: recorder.batches)
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.1)
    assert not event.message.acked


async def test_the_agent_feeds_an_idempotent_consumer(harness, tmp_path) -> None:
    consumer = harness.consumer()
    await consumer.create_tables()
    app = make_faust_app("publicity", bootstrap_servers="127.0.0.1:9", data_dir=tmp_path)
    agent = bind_consumer(app, consumer, [TOPIC], within=0.01)
    messages = await sample_messages()
    async with agent.test_context() as raw:
        context = _as_the_conductor_delivers(raw)
        for m in [*messages, *messages]:
            await context.put(value=m.value, key=m.key, headers=list(m.headers), wait=False)
        await _until(lambda: len(harness.calls) == len(messages))
        await asyncio.sleep(0.1)
    assert len(await harness.applied_streams()) == len(messages)
    assert len(harness.calls) == len(messages)


async def test_what_is_queued_when_the_agent_is_free_goes_in_one_batch(tmp_path) -> None:
    app = make_faust_app("publicity", bootstrap_servers="127.0.0.1:9", data_dir=tmp_path)
    recorder = Recorder()
    agent = bind_consumer(app, recorder, [TOPIC], max_batch=2)
    sent = (await sample_messages())[:5]
    async with agent.test_context() as raw:
        context = _as_the_conductor_delivers(raw)
        events = [await context.put(value=m.value, key=m.key, wait=False) for m in sent]
        await _until(lambda: all(event.message.acked for event in events))
    assert [len(batch) for batch in recorder.batches] == [2, 2, 1]
    assert [m.value for batch in recorder.batches for m in batch] == [m.value for m in sent]


class HeldRecorder(Recorder):
    """Holds the first batch until opened."""

    def __init__(self) -> None:
        super().__init__()
        self.opened = asyncio.Event()

    async def handle_batch(self, messages: Sequence[ConsumedMessage]) -> None:
        first = not self.batches
        await super().handle_batch(messages)
        if first:
            await self.opened.wait()


async def test_under_a_backlog_the_next_batch_is_handed_over_while_one_commits(
    tmp_path,
) -> None:
    app = make_faust_app("publicity", bootstrap_servers="127.0.0.1:9", data_dir=tmp_path)
    recorder = HeldRecorder()
    agent = bind_consumer(app, recorder, [TOPIC], max_batch=1)
    sent = (await sample_messages())[:3]
    async with agent.test_context() as raw:
        context = _as_the_conductor_delivers(raw)
        events = [await context.put(value=m.value, key=m.key, wait=False) for m in sent]
        await _until(lambda: len(recorder.batches) == 2)
        assert not any(event.message.acked for event in events)  # in order: none before 1st
        recorder.opened.set()
        await _until(lambda: all(event.message.acked for event in events))
    assert [m.value for batch in recorder.batches for m in batch] == [m.value for m in sent]


async def test_without_a_backlog_a_batch_is_written_before_the_next_is_taken(
    tmp_path,
) -> None:
    app = make_faust_app("publicity", bootstrap_servers="127.0.0.1:9", data_dir=tmp_path)
    recorder = HeldRecorder()
    agent = bind_consumer(app, recorder, [TOPIC])
    one, two, three, *_ = await sample_messages()
    async with agent.test_context() as raw:
        context = _as_the_conductor_delivers(raw)
        first = await context.put(value=one.value, key=one.key, wait=False)
        await _until(lambda: len(recorder.batches) == 1)
        later = [await context.put(value=m.value, key=m.key, wait=False) for m in (two, three)]
        await asyncio.sleep(0.1)
        assert len(recorder.batches) == 1
        recorder.opened.set()
        await _until(lambda: all(e.message.acked for e in [first, *later]))
    assert [len(batch) for batch in recorder.batches] == [1, 2]
