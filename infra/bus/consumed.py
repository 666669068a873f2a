"""A message as a consumer receives it, whatever delivered it (Faust, a test, a replay), and
the trace span and log context it is handled in."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import structlog
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from contracts.base import Event
from contracts.envelope import Envelope
from infra.eventstore.port import RecordedEvent
from infra.telemetry import extract

log = structlog.get_logger()

TRACE_HEADERS: Final = ("traceparent", "tracestate")


@dataclass(frozen=True, slots=True)
class ConsumedMessage:
    """Where a message was read (topic, partition, offset) and its raw bytes."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Sequence[tuple[str, bytes]] = field(default=())

    @classmethod
    def of(cls, record: Any) -> ConsumedMessage:
        """From a Kafka client's record (an aiokafka ConsumerRecord or a Faust Message)."""
        value = record.value if record.value is not None else b""
        headers = normalise_headers(record.headers)
        return cls(record.topic, record.partition, record.offset, record.key, value, headers)

    def header(self, name: str) -> str | None:
        """The last header called ``name``, as text (undecodable bytes replaced)."""
        found = [value for key, value in self.headers if key == name]
        return found[-1].decode(errors="replace") if found else None

    def trace_headers(self) -> dict[str, str]:
        """The W3C trace context the message carries, for ``infra.telemetry.extract``."""
        return {name: value for name in TRACE_HEADERS if (value := self.header(name))}


def normalise_headers(headers: Any) -> list[tuple[str, bytes]]:
    """Kafka clients hand headers over as a mapping or as pairs; consumers want pairs."""
    if not headers:
        return []
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(key), bytes(value or b"")) for key, value in pairs]


@contextmanager
def handling(
    message: ConsumedMessage,
    *,
    consumer: str,
    tracer: trace.Tracer,
    record: RecordedEvent | None = None,
    envelope: Envelope[Event] | None = None,
) -> Iterator[None]:
    """A CONSUMER span continuing the trace the message carries, and the ids every log line
    written while handling it needs (consumer, event id, correlation id); a failure is logged
    with them and raised on."""
    ids = {"consumer": consumer}
    if record is not None:
        ids["event_id"] = str(record.event_id)
    if envelope is not None:
        ids["correlation_id"] = str(envelope.correlation_id)
    name = f"consume {record.event_type if record else message.topic}"
    parent = extract(message.trace_headers())
    with (
        tracer.start_as_current_span(name, context=parent, kind=SpanKind.CONSUMER) as span,
        structlog.contextvars.bound_contextvars(**ids),
    ):
        span.set_attributes(
            {
                "messaging.system": "kafka",
                "messaging.destination.name": message.topic,
                "messaging.destination.partition.id": str(message.partition),
                "messaging.kafka.offset": message.offset,
                "messaging.consumer.group.name": consumer,
                **{f"onecard.{key}": value for key, value in ids.items() if key != "consumer"},
            }
        )
        try:
            yield
        except Exception as error:
            log.warning("consumer.message_failed", error=repr(error))
            raise
