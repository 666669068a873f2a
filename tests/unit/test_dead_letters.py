"""What a consumer cannot apply goes to the dead letters, with an audit event, and the rest of
the batch goes on: handler failures after the retries, undecodable messages at once."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import orjson

from infra.bus.consumed import ConsumedMessage
from infra.bus.dead_letter import AUDIT_EVENT_TYPE
from infra.bus.messages import DEAD_LETTER_SUFFIX, from_message
from tests.unit.consumer_harness import (
    CODEC,
    CONSUMER,
    fail_on,
    sample_messages,
)
from tests.unit.contract_samples import SAMPLES


async def test_a_poison_message_is_dead_lettered_and_the_rest_applied(harness, consumer) -> None:
    harness.fault = fail_on("s-2")
    messages = await sample_messages()
    await consumer.handle_batch(messages)
    assert "s-2" not in await harness.applied_streams()
    assert len(await harness.applied_streams()) == len(SAMPLES) - 1
    assert harness.calls.count("s-2") == 1 + 3  # the batch, then three tries alone
    (dead,) = harness.publisher.sent
    poison = messages[2]
    assert (dead.topic, dead.key, dead.value) == (
        poison.topic + DEAD_LETTER_SUFFIX,
        poison.key,
        poison.value,
    )
    headers = dict(dead.headers)
    assert headers["deadletter_consumer"] == CONSUMER.encode()
    assert headers["deadletter_error_type"] == b"builtins.RuntimeError"
    assert headers["deadletter_attempts"] == b"3"
    assert headers["deadletter_offset"] == b"2"
    (audit,) = await harness.audit_events()
    assert audit.event_type == AUDIT_EVENT_TYPE
    assert audit.schema_version == 1
    facts = orjson.loads(audit.data)
    assert facts["event_id"] == str(CODEC.decode(from_message(poison.value)).event_id)
    assert facts["value_sha256"] == hashlib.sha256(poison.value).hexdigest()
    assert facts["value_size"] == len(poison.value)
    assert poison.value not in audit.data
    assert b"data" not in audit.data


async def test_malformed_bytes_are_dead_lettered_at_once(harness, consumer) -> None:
    garbage = ConsumedMessage(
        "onecard.registry.rosters", 1, 9, b"k", b"\xff not json " + "阿".encode(), ()
    )
    await consumer.handle_batch([garbage, *(await sample_messages())])
    assert len(await harness.applied_streams()) == len(SAMPLES)
    (dead,) = harness.publisher.sent
    assert dead.value == garbage.value
    assert dict(dead.headers)["deadletter_error_type"] == b"infra.bus.messages.MalformedMessage"
    assert dict(dead.headers)["deadletter_attempts"] == b"1"
    (audit,) = await harness.audit_events()
    assert orjson.loads(audit.data)["event_id"] is None


async def test_an_event_type_this_code_does_not_know_is_dead_lettered(harness, consumer) -> None:
    first, *_ = await sample_messages()
    body = orjson.loads(first.value)
    unknown = replace(first, value=orjson.dumps({**body, "event_type": "RosterShredded"}))
    await consumer.handle_batch([unknown])
    assert harness.calls == []
    (dead,) = harness.publisher.sent
    assert b"UnknownEventType" in dict(dead.headers)["deadletter_error_type"]


async def test_a_redelivered_poison_message_is_audited_once(harness, consumer) -> None:
    harness.fault = fail_on("s-2")
    messages = await sample_messages()
    await consumer.handle_batch(messages)
    await consumer.handle_batch(messages[2:3])
    assert len(harness.publisher.sent) == 2  # the dead-letter topic is at-least-once
    assert len(await harness.audit_events()) == 1


async def test_a_dead_letter_sink_failure_is_retried_before_moving_on(harness, consumer) -> None:
    harness.fault = fail_on("s-0")
    harness.publisher.fail_next = 2
    await consumer.handle_batch((await sample_messages())[:1])
    assert [m.topic.endswith(DEAD_LETTER_SUFFIX) for m in harness.publisher.sent] == [True]
    assert len(await harness.audit_events()) == 1
