"""What every command carries besides its content: who, when, which request, which trace.

One shape for every service (and the user store): a person's request, or a service reacting
to another's event or to its clock. ``idempotency_key`` names the request (or the causing
event): the same key again yields the same event ids, so a retried request or a redelivered
event appends nothing new.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from contracts.base import Event
from contracts.envelope import Actor, Envelope, derived_event_id, new_envelope

E = TypeVar("E", bound=Event)


@dataclass(frozen=True, slots=True)
class CommandContext:
    actor: Actor
    at: datetime
    correlation_id: uuid.UUID
    idempotency_key: str
    causation_id: uuid.UUID | None = None
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
            causation_id=self.causation_id,
            traceparent=self.traceparent,
            tracestate=self.tracestate,
        )


def reaction_to(cause: Envelope[Event], *, service: str) -> CommandContext:
    """The context of ``service``'s reaction to ``cause``: at the cause's instant, keyed by
    its event id, in its correlation and trace, so a redelivery decides and appends the same."""
    return CommandContext(
        actor=Actor.system(service),
        at=cause.occurred_at,
        correlation_id=cause.correlation_id,
        idempotency_key=f"reaction/{cause.event_id}",
        causation_id=cause.event_id,
        traceparent=cause.traceparent,
        tracestate=cause.tracestate,
    )


def on_the_clock(at: datetime, key: str, *, service: str) -> CommandContext:
    """The context of work ``service`` does on its own clock (a notice completing)."""
    return CommandContext(
        actor=Actor.system(service),
        at=at,
        correlation_id=uuid.uuid4(),
        idempotency_key=f"clock/{key}",
    )
