"""Batches straight off a Faust agent's channel: whatever waits when the agent is free.

Faust's ``Stream.take_events(max_, within)`` wakes every ``within`` seconds and feeds its buffer
through the stream's per-event machinery (a loop turn, sensors, a processor and a context
variable per event, an ack per event on the way out): at 1,000 events/s a lone event waited
up to ``within`` plus the batch in front of it, and that machinery was the largest share of
the agent's CPU (docs/adr/006-faust-agents.md). :func:`batches` reads the channel's queue
itself: it waits for the first event, then takes what else is already queued, up to
``max_batch``. Batches therefore grow by themselves with the load (what arrives while one
batch commits is the next batch) and an idle agent costs nothing until a message comes.

Per message it keeps what Faust's stream iterator does for correctness: messages from an
older consumer generation, or read while flow control is off (a rebalance), are skipped and
acknowledged; each message is tracked as unacknowledged (``on_message_in``) until
:func:`acknowledge` releases it (``on_message_out`` when its last reference goes). The
per-event stream sensors (``on_stream_event_in``/``out``, Faust's stream statistics) are not
called. :class:`RawTopic` builds each event from the raw key and value without Faust's codec
registry.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import faust


class RawTopic(faust.Topic):
    """A topic of raw bytes: the event holds the record's key, value and headers as read."""

    def _compile_decode(self) -> None:
        app = self.app
        event_class: Any = app.conf.Event  # a setting: read once, not per message

        async def decode(message: Any, *, propagate: bool = False) -> Any:
            return event_class(app, message.key, message.value, message.headers, message)

        self.decode = decode  # type: ignore[method-assign]


def raw_topic(app: faust.App, topics: Sequence[str]) -> RawTopic:
    return RawTopic(
        app,
        topics=list(topics),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )


async def batches(stream: Any, *, max_batch: int, within: float = 0.0) -> AsyncIterator[list[Any]]:
    """Yield the agent's events in batches of at most ``max_batch``, in channel order.

    Waits for one event, then (after ``within`` seconds, when given, to let a lone event
    gather company) takes what is queued. Nothing is acknowledged here: the caller calls
    :func:`acknowledge` once it has dealt with a batch; a batch it never acknowledges stays
    uncommitted and is delivered again after a restart or rebalance. Ends when the actor is
    cancelled (Faust throws ``StopAsyncIteration`` into the channel)."""
    app = stream.app
    queue = stream.channel.queue
    acking_topics = app.topics.acking_topics
    on_message_in = app.sensors.on_message_in
    unacked = app.consumer.unacked
    try:
        while True:
            queued = [await queue.get()]
            if within > 0 and queue.qsize() < max_batch:
                await asyncio.sleep(within)
            while len(queued) < max_batch and not queue.empty():
                queued.append(queue.get_nowait())
            fresh = []
            active, generation = app.flow_control.is_active(), app.consumer_generation_id
            for event in queued:
                message = event.message
                if not active or message.generation_id != generation:
                    acknowledge(stream, [event])
                    continue
                if not message.tracked and message.topic in acking_topics:
                    message.tracked = True
                    unacked.add(message)
                    on_message_in(message.tp, message.offset, message)
                fresh.append(event)
            if fresh:
                yield fresh
    except StopAsyncIteration:
        return


def acknowledge(stream: Any, events: Sequence[Any]) -> None:
    """Release the stream's reference on each event (``Stream.ack`` without the per-event
    stream sensors): a message whose last reference goes is committable."""
    on_message_out = stream.app.sensors.on_message_out
    for event in events:
        if event.ack():
            message = event.message
            on_message_out(message.tp, message.offset, message)
