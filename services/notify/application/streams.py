"""A payment SMS's stream: load its outcome (with the version an append will expect), and
record an outcome decided on it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from contracts.envelope import Actor
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore, WrongExpectedVersion
from infra.stream_commands import append_decided, load_state
from services.notify.domain.notice import Command, NoticeState, decide, evolve

SYSTEM = Actor.system("notify")


def notification_stream(notification_id: str) -> str:
    return f"notification-{notification_id}"


async def load_notice(
    store: EventStore, codec: EventCodec, notification_id: str
) -> tuple[NoticeState | None, int]:
    """The SMS's recorded outcome (None: none yet) and its stream's version."""
    return await load_state(store, codec, notification_stream(notification_id), evolve)


@dataclass(frozen=True, slots=True)
class Cause:
    """The payment the SMS tells of: its event and correlation, carried into the outcome."""

    event_id: uuid.UUID
    correlation_id: uuid.UUID


async def record_outcome(
    *,
    store: EventStore,
    codec: EventCodec,
    command: Command,
    cause: Cause,
    at: datetime,
    state: NoticeState | None,
    version: int,
) -> NoticeState:
    """Record the outcome ``command`` says, unless the stream holds one; return the outcome
    the stream holds afterwards (another dispatcher's, when it got there first)."""
    notification_id = command.facts.notification_id
    context = CommandContext(
        actor=SYSTEM,
        at=at,
        correlation_id=cause.correlation_id,
        idempotency_key=f"notify/{notification_id}",
        causation_id=cause.event_id,
    )
    events = decide(command, state)
    stream_id = notification_stream(notification_id)
    try:
        await append_decided(store, codec, context, stream_id, events, version)
    except WrongExpectedVersion:
        state, _ = await load_notice(store, codec, notification_id)
    else:
        for event in events:
            state = evolve(state, event)
    assert state is not None
    return state
