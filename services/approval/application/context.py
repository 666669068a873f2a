"""Who, when and why around the events the approval service appends: a person's command
(``CommandContext``), or the service reacting to another service's event (``reacted``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final, TypeVar

from contracts.base import Event
from contracts.envelope import Actor, Envelope, derived_event_id, new_envelope

E = TypeVar("E", bound=Event)
SYSTEM: Final = Actor.system("approval")


@dataclass(frozen=True, slots=True)
class CommandContext:
    """``idempotency_key`` names the request: the same key again yields the same event ids,
    so a retried request appends nothing new."""

    actor: Actor
    at: datetime
    correlation_id: uuid.UUID
    idempotency_key: str
    traceparent: str | None = None
    tracestate: str | None = None

    def envelope(self, event: E, *, stream_id: str, index: int = 0) -> Envelope[E]:
        return new_envelope(
            event,
            event_id=derived_event_id(self.at, key=f"{self.idempotency_key}/{stream_id}/{index}"),
            stream_id=stream_id,
            occurred_at=self.at,
            actor=self.actor,
            correlation_id=self.correlation_id,
            traceparent=self.traceparent,
            tracestate=self.tracestate,
        )


def reacted(
    event: E, *, cause: Envelope[Event], index: int, stream_id: str, at: datetime
) -> Envelope[E]:
    """``event`` appended by the service because of ``cause``: its id derives from the cause
    (a redelivered cause yields the same ids), its correlation and trace continue the cause's."""
    return new_envelope(
        event,
        event_id=derived_event_id(cause.occurred_at, key=f"approval/{cause.event_id}/{index}"),
        stream_id=stream_id,
        occurred_at=at,
        actor=SYSTEM,
        correlation_id=cause.correlation_id,
        causation_id=cause.event_id,
        traceparent=cause.traceparent,
        tracestate=cause.tracestate,
    )
