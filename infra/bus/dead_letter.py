"""Dead letters: a message a consumer cannot apply is set aside, never dropped or acked silently.

The message is republished, byte for byte, on ``<topic>.deadletter`` with headers saying who
gave up on it and why, and an audit event ``MessageDeadLettered`` is appended to the store
stream ``deadletter-<consumer>``. The audit event never holds the message's value (which may
hold personal data, or anything at all): only its SHA-256 and size, to match it later.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Final, Protocol

import orjson

from infra.bus.consumed import ConsumedMessage
from infra.bus.messages import DEAD_LETTER_SUFFIX, BusMessage
from infra.bus.publisher import Publisher
from infra.eventstore.port import ANY_VERSION, EventStore, NewEvent
from infra.telemetry import inject

AUDIT_EVENT_TYPE: Final = "MessageDeadLettered"
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:onecard:dead-letters")
_MAX_ERROR_CHARS: Final = 500


class DeadLetters(Protocol):
    """Where an IdempotentConsumer puts what it gives up on."""

    async def send(
        self,
        message: ConsumedMessage,
        *,
        consumer: str,
        error: BaseException,
        attempts: int,
        event_id: uuid.UUID | None,
    ) -> None:
        """Return only once the message is durably set aside (so it may be acknowledged);
        raise otherwise. Sending the same delivery again records it once."""
        ...


class DeadLetterSink:
    """Dead-letter topic plus audit stream; the topic first, so the audit states a fact."""

    def __init__(self, *, publisher: Publisher, store: EventStore) -> None:
        self._publisher = publisher
        self._store = store

    async def send(
        self,
        message: ConsumedMessage,
        *,
        consumer: str,
        error: BaseException,
        attempts: int,
        event_id: uuid.UUID | None,
    ) -> None:
        facts = {
            "consumer": consumer,
            "topic": message.topic,
            "partition": message.partition,
            "offset": message.offset,
            "event_id": str(event_id) if event_id else None,
            "error_type": f"{type(error).__module__}.{type(error).__qualname__}",
            "error_message": str(error)[:_MAX_ERROR_CHARS],
            "attempts": attempts,
        }
        headers = [*message.headers, *((f"deadletter_{k}", _text(v)) for k, v in facts.items())]
        key = message.key if message.key is not None else b""
        target = message.topic + DEAD_LETTER_SUFFIX
        await self._publisher.publish([BusMessage(target, key, message.value, headers)])
        await self._store.append(
            f"deadletter-{consumer}", [_audit_event(message, facts)], expected_version=ANY_VERSION
        )


def dead_letter_id(*, consumer: str, topic: str, partition: int, offset: int) -> uuid.UUID:
    """The audit event's id: one per consumer and delivery place, so a redelivery is a no-op."""
    return uuid.uuid5(_NAMESPACE, f"{consumer}/{topic}/{partition}/{offset}")


def _audit_event(message: ConsumedMessage, facts: dict[str, object]) -> NewEvent:
    data = {
        **facts,
        "value_sha256": hashlib.sha256(message.value).hexdigest(),
        "value_size": len(message.value),
    }
    consumer = str(facts["consumer"])
    return NewEvent(
        event_id=dead_letter_id(
            consumer=consumer,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
        ),
        event_type=AUDIT_EVENT_TYPE,
        schema_version=1,
        data=orjson.dumps(data),
        metadata=orjson.dumps({"actor": f"system:{consumer}", **inject()}),
    )


def _text(value: object) -> bytes:
    return b"" if value is None else str(value).encode()
