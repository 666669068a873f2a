"""The envelope: who did what, when, why and in which trace, around one event.

The event itself is the fact; the envelope is how the fact is located (event id, stream id
and version), attributed (actor), explained (correlation and causation) and traced (W3C
trace context). Clock and ids come in from the caller: nothing here reads the time.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Final, Generic, Self, TypeVar

import uuid_utils
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints

from contracts.base import Event

E = TypeVar("E", bound=Event)

_TRACEPARENT: Final = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-[0-9a-f\-]*)?$"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def _in_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _is_v7(event_id: uuid.UUID) -> uuid.UUID:
    if event_id.version != 7:
        raise ValueError("event ids are UUIDv7 (time-ordered)")
    return event_id


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
"""A timezone-aware instant, kept in UTC; naive datetimes are refused."""


class Actor(BaseModel):
    """Who caused the event: a real-name user acting in a role inside a jurisdiction, or a
    service acting on its own (``system:<service>``, no jurisdiction)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    role: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    jurisdiction_code: str | None

    @classmethod
    def system(cls, service: str) -> Self:
        return cls(user_id=f"system:{service}", role="system", jurisdiction_code=None)


class Envelope(BaseModel, Generic[E]):
    """One event with everything the log keeps about it.

    ``stream_version`` is ``None`` until the event is stored; a decoded envelope carries the
    stream id and version of its record. ``event_type`` and ``schema_version`` are the event's.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    event_id: Annotated[uuid.UUID, AfterValidator(_is_v7)]
    stream_id: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    stream_version: int | None = None
    occurred_at: UtcDatetime
    actor: Actor
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    traceparent: Annotated[str, StringConstraints(pattern=_TRACEPARENT)] | None = None
    tracestate: Annotated[str, StringConstraints(max_length=512)] | None = None
    event: E

    @property
    def event_type(self) -> str:
        return self.event.event_type

    @property
    def schema_version(self) -> int:
        return self.event.schema_version


def new_event_id(at: datetime) -> uuid.UUID:
    """A fresh UUIDv7 whose time part is ``at`` (the caller's clock), as a ``uuid.UUID``."""
    if at.tzinfo is None:
        raise ValueError("new_event_id needs a timezone-aware time")
    nanoseconds = (at - _EPOCH) // _MICROSECOND * 1000
    return uuid.UUID(bytes=uuid_utils.uuid7(nanoseconds=nanoseconds).bytes)


def derived_event_id(at: datetime, *, key: str) -> uuid.UUID:
    """A UUIDv7 whose time part is ``at`` and whose other 74 bits come from ``key``.

    The same command (same ``at``, same idempotency key) yields the same event ids, so a
    retried command appends nothing twice; different keys never collide in practice.
    """
    if at.tzinfo is None:
        raise ValueError("derived_event_id needs a timezone-aware time")
    milliseconds = (at - _EPOCH) // timedelta(milliseconds=1)
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:10], "big")
    rand_a, rand_b = (digest >> 62) & 0xFFF, digest & ((1 << 62) - 1)
    value = (milliseconds << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return uuid.UUID(int=value)


def new_envelope(
    event: E,
    *,
    event_id: uuid.UUID,
    stream_id: str,
    occurred_at: datetime,
    actor: Actor,
    correlation_id: uuid.UUID,
    causation_id: uuid.UUID | None = None,
    traceparent: str | None = None,
    tracestate: str | None = None,
) -> Envelope[E]:
    """Wrap a new event. Ids and time are the caller's: ``new_event_id(occurred_at)`` makes a
    fresh event id; a retried command must reuse its envelopes so that the append is a no-op."""
    return Envelope(
        event_id=event_id,
        stream_id=stream_id,
        occurred_at=occurred_at,
        actor=actor,
        correlation_id=correlation_id,
        causation_id=causation_id,
        traceparent=traceparent,
        tracestate=tracestate,
        event=event,
    )
