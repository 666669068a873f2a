"""The approval service reacting to another service's event (``reacted``); a person's
command carries ``infra.command_context.CommandContext``."""

from __future__ import annotations

from datetime import datetime
from typing import Final, TypeVar

from contracts.base import Event
from contracts.envelope import Actor, Envelope, derived_event_id, new_envelope

E = TypeVar("E", bound=Event)
SYSTEM: Final = Actor.system("approval")


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
