"""The registry's reaction to a roster coming back: approval sent it back (``RosterSentBack``)
or its public notice was halted by an upheld objection (``PublicNoticeHalted``). Either
reopens the roster for its makers (``RosterReturned``).

The reaction runs inside a consumer, so a message may come twice: the new event's id derives
from the causing event's, and appending it again is a no-op in the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Actor, Envelope, derived_event_id, new_envelope
from contracts.events import PublicNoticeHalted, RosterSentBack
from infra.clock import Clock
from infra.eventcodec import EventCodec
from infra.eventstore.port import AppendResult, EventStore, WrongExpectedVersion
from infra.service import Handler
from services.registry.application.roster_commands import load_roster
from services.registry.domain.roster_returns import ReturnRoster, decide_return

RETURNING_EVENTS = (RosterSentBack, PublicNoticeHalted)
_ATTEMPTS = 3
"""Tries when a clerk's command lands on the roster between our read and our append."""


def returns_handler(*, store: EventStore, codec: EventCodec, clock: Clock) -> Handler:
    """The consumer's handler: reopen the roster each send-back or halt names; every other
    event on the topics is not for the registry."""

    async def on_roster_returns(_: AsyncConnection, envelopes: Sequence[Envelope[Event]]) -> None:
        for envelope in envelopes:
            command = return_command(envelope.event)
            if command is not None:
                await return_roster(
                    store=store, codec=codec, command=command, cause=envelope, at=clock.now()
                )

    return on_roster_returns


def return_command(event: Event) -> ReturnRoster | None:
    if isinstance(event, RosterSentBack):
        return ReturnRoster(
            event.roster_id, event.submission_no, "approval", event.reasons, event.row_nos
        )
    if isinstance(event, PublicNoticeHalted):
        return ReturnRoster(
            event.roster_id, event.submission_no, "objection", event.findings, event.row_nos
        )
    return None


async def return_roster(
    *,
    store: EventStore,
    codec: EventCodec,
    command: ReturnRoster,
    cause: Envelope[Event],
    at: datetime,
) -> AppendResult | None:
    """Reopen the roster as ``cause`` asks (None: nothing to do, the return is stale or
    already applied). The registry acts on its own: a system actor, caused by ``cause``."""
    stream_id = f"roster-{command.roster_id}"
    for attempt in range(_ATTEMPTS):
        state, version = await load_roster(store, codec, command.roster_id)
        events = decide_return(command, state)
        if not events:
            return None
        stored = [
            codec.encode(
                new_envelope(
                    event,
                    event_id=derived_event_id(
                        cause.occurred_at, key=f"{cause.event_id}/{stream_id}/{index}"
                    ),
                    stream_id=stream_id,
                    occurred_at=at,
                    actor=Actor.system("registry"),
                    correlation_id=cause.correlation_id,
                    causation_id=cause.event_id,
                    traceparent=cause.traceparent,
                    tracestate=cause.tracestate,
                )
            )
            for index, event in enumerate(events)
        ]
        try:
            return await store.append(stream_id, stored, expected_version=version)
        except WrongExpectedVersion:
            if attempt == _ATTEMPTS - 1:
                raise
    return None
