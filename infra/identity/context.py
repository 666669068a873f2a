"""What every user-store command carries besides its content: who, when, which request,
which trace (the registry's ``CommandContext``; identity is infra and may not import a
service)."""

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
    """``idempotency_key`` names the request: the same key at the same instant yields the
    same event ids, so a retried append is a no-op."""

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
