"""What travels on Kafka: a stored event, byte for byte, keyed by its stream id.

The value is the stored record as JSON with ``data`` and ``metadata`` embedded verbatim (so
personal data stays sealed and the chain hash can be rechecked by anyone downstream); the
headers repeat what a consumer needs to route or trace a message without parsing it. Only
integration events (those ``contracts.topics`` names) are published; a service's private
events stay in the store.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson

from contracts.topics import TOPICS
from infra.eventstore.port import RecordedEvent

TOPIC_OF_TYPE = {event.event_type: topic.name for topic in TOPICS for event in topic.events}
DEAD_LETTER_SUFFIX = ".deadletter"

Headers = Sequence[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class BusMessage:
    topic: str
    key: bytes
    value: bytes
    headers: Headers


class MalformedMessage(ValueError):
    """A message that is not a stored event this platform published."""


def to_message(record: RecordedEvent) -> BusMessage | None:
    """The Kafka message for a stored event, or None for an event no other service consumes."""
    topic = TOPIC_OF_TYPE.get(record.event_type)
    if topic is None:
        return None
    value = orjson.dumps(
        {
            "position": record.position,
            "stream_id": record.stream_id,
            "stream_version": record.stream_version,
            "event_id": str(record.event_id),
            "event_type": record.event_type,
            "schema_version": record.schema_version,
            "recorded_at": record.recorded_at.isoformat(),
            "hash": record.hash,
            "data": orjson.Fragment(record.data),
            "metadata": orjson.Fragment(record.metadata),
        }
    )
    return BusMessage(topic, record.stream_id.encode(), value, _headers(record))


def from_message(value: bytes) -> RecordedEvent:
    """The stored event a message carries; raises MalformedMessage for anything else."""
    try:
        body = orjson.loads(value)
        return RecordedEvent(  # positionally, in field order: a consumer reads one per event
            int(body["position"]),
            str(body["stream_id"]),
            int(body["stream_version"]),
            uuid.UUID(body["event_id"]),
            str(body["event_type"]),
            int(body["schema_version"]),
            orjson.dumps(body["data"]),
            orjson.dumps(body["metadata"]),
            datetime.fromisoformat(body["recorded_at"]),
            str(body["hash"]),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise MalformedMessage(f"not a onecard event message: {error}") from None


def _headers(record: RecordedEvent) -> list[tuple[str, bytes]]:
    headers = [
        ("event_type", record.event_type.encode()),
        ("event_id", str(record.event_id).encode()),
        ("schema_version", str(record.schema_version).encode()),
    ]
    metadata = orjson.loads(record.metadata)
    for name in ("traceparent", "tracestate", "correlation_id"):
        if metadata.get(name):
            headers.append((name, str(metadata[name]).encode()))
    return headers
