"""Envelopes to store records and back: the only place events become bytes.

``data`` is the event's JSON (orjson) with personal data sealed by the cipher; ``metadata``
is the rest of the envelope as JSON, without the fields the record already holds (event id,
type and version, stream id and version). Reading upcasts old versions to the current model.
"""

from __future__ import annotations

from typing import Any, Final

import orjson
from pydantic import ValidationError

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.pii import PII_CONTEXT_KEY, PiiCipher
from contracts.versioning import EventRegistry, UnknownEventType
from infra.eventstore.port import NewEvent, RecordedEvent

_RECORD_FIELDS: Final = frozenset({"event_id", "stream_id", "stream_version", "event"})
METADATA_FIELDS: Final = frozenset(Envelope.model_fields) - _RECORD_FIELDS


_ENVELOPE: Final = Envelope[Event]


class EventDecodeError(ValueError):
    """A stored event could not be read into its current model (the message names the event,
    never its content)."""


class EventCodec:
    """Encodes envelopes for the event store and decodes its records, through one registry."""

    def __init__(self, *, registry: EventRegistry, cipher: PiiCipher) -> None:
        self._registry = registry
        self._context: Final = {PII_CONTEXT_KEY: cipher}

    def encode(self, envelope: Envelope[Any]) -> NewEvent:
        """The record to append. Raises UnknownEventType for an unregistered (or old) class."""
        event: Event = envelope.event
        if self._registry.current(event.event_type) is not type(event):
            raise UnknownEventType(
                f"{type(event).__name__} is not the registered current {event.event_type!r}"
            )
        data = event.model_dump(mode="json", context=self._context)
        metadata = envelope.model_dump(mode="json", include=set(METADATA_FIELDS))
        return NewEvent(
            event_id=envelope.event_id,
            event_type=event.event_type,
            schema_version=event.schema_version,
            data=orjson.dumps(data),
            metadata=orjson.dumps(metadata),
        )

    def decode(self, recorded: RecordedEvent) -> Envelope[Event]:
        """The envelope of a stored event, upcast to the current version and decrypted."""
        try:
            event = self._event(recorded)
            return _ENVELOPE.model_validate(
                {
                    **orjson.loads(recorded.metadata),
                    "event_id": recorded.event_id,
                    "stream_id": recorded.stream_id,
                    "stream_version": recorded.stream_version,
                    "event": event,
                }
            )
        except (ValidationError, orjson.JSONDecodeError) as error:
            raise _undecodable(recorded, error) from error

    def decode_event(self, recorded: RecordedEvent) -> Event:
        """Only the event of a stored record (upcast, personal data sealed until revealed): for
        folding a stream's state, which needs no envelope — validating one costs four times
        what the event does."""
        try:
            return self._event(recorded)
        except (ValidationError, orjson.JSONDecodeError) as error:
            raise _undecodable(recorded, error) from error

    def _event(self, recorded: RecordedEvent) -> Event:
        return self._registry.load(
            recorded.event_type,
            recorded.schema_version,
            orjson.loads(recorded.data),
            context=self._context,
        )


def _undecodable(recorded: RecordedEvent, error: Exception) -> EventDecodeError:
    where = (
        f"event {recorded.event_id} ({recorded.event_type} v{recorded.schema_version}) "
        f"at {recorded.stream_id}@{recorded.stream_version}"
    )
    return EventDecodeError(f"cannot decode {where}: {error}")
