"""The approval's consumer: records the registry's submissions and publicity's notice
outcomes in each roster's approval stream (opening the approval once both are known), keeps
the pending-work projection current, and keeps the working-day schedules administrators
entered.

It runs inside the consumer's projection transaction, which also records the inbox; the
events it appends to the store derive their ids from the event that caused them, and the
decider records nothing twice, so a redelivered message appends nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import (
    BatchApproved,
    RosterLevelApproved,
    RosterSentBack,
    RosterSubmitted,
    WorkingDayScheduleEntered,
)
from infra.clock import Clock
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore, NewEvent, WrongExpectedVersion
from infra.projections.working_day_schedules import record_schedule
from infra.service import Handler
from services.approval.adapters.tables import working_day_schedules
from services.approval.application.context import reacted
from services.approval.application.projection import project_approval
from services.approval.application.streams import (
    approval_stream,
    load_approval,
    load_chain,
    read_approval,
)
from services.approval.domain.chain import Chain, chain_of
from services.approval.domain.intake import INPUTS, Input, decide_intake
from services.approval.domain.state import RosterApproval, evolve

DECISIONS = (RosterLevelApproved, RosterSentBack, BatchApproved)
CONSUMED: Final[tuple[type[Event], ...]] = (*INPUTS, *DECISIONS, WorkingDayScheduleEntered)
"""What the consumer reads: its inputs, its own decisions (for the projection), calendars."""
APPEND_ATTEMPTS: Final = 5

log = structlog.get_logger()


def intake_handler(*, store: EventStore, codec: EventCodec, clock: Clock) -> Handler:
    async def on_approval_inputs(
        conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]
    ) -> None:
        inputs: dict[str, list[Envelope[Event]]] = {}
        for envelope in envelopes:
            event = envelope.event
            if isinstance(event, WorkingDayScheduleEntered):
                await record_schedule(conn, working_day_schedules, event)
            elif isinstance(event, INPUTS):
                inputs.setdefault(event.roster_id, []).append(envelope)
            elif isinstance(event, DECISIONS):
                inputs.setdefault(event.roster_id, [])
        for roster_id, causes in inputs.items():
            if causes:
                await take_in(
                    store=store, codec=codec, clock=clock, roster_id=roster_id, causes=causes
                )
            await project_approval(conn, await read_approval(store, codec, roster_id))

    return on_approval_inputs


async def take_in(
    *,
    store: EventStore,
    codec: EventCodec,
    clock: Clock,
    roster_id: str,
    causes: Sequence[Envelope[Event]],
) -> None:
    """Record ``causes`` (inputs about the roster, in log order) in its approval stream, in
    one append; a lost race with a decision is retried on the new state."""
    stream_id = approval_stream(roster_id)
    for _ in range(APPEND_ATTEMPTS):
        state, version = await load_approval(store, codec, roster_id)
        new = await _decided(store, codec, clock, stream_id, state, causes)
        if not new:
            return
        try:
            await store.append(stream_id, new, expected_version=version)
            return
        except WrongExpectedVersion:
            log.info("approval.intake_retry", roster_id=roster_id)
    raise RuntimeError(f"approval-{roster_id} kept moving: {APPEND_ATTEMPTS} appends lost")


async def _decided(
    store: EventStore,
    codec: EventCodec,
    clock: Clock,
    stream_id: str,
    state: RosterApproval | None,
    causes: Sequence[Envelope[Event]],
) -> list[NewEvent]:
    new: list[NewEvent] = []
    chains: dict[str, Chain] = {}
    now = clock.now()
    for cause in causes:
        event = cause.event
        assert isinstance(event, INPUTS)
        chain = await _chain(store, codec, chains, _programme(event, state))
        for index, decided in enumerate(decide_intake(event, state, chain)):
            state = evolve(state, decided)
            envelope = reacted(decided, cause=cause, index=index, stream_id=stream_id, at=now)
            new.append(codec.encode(envelope))
    return new


def _programme(event: Input, state: RosterApproval | None) -> str | None:
    if isinstance(event, RosterSubmitted):
        return event.programme_code
    facts = None if state is None else state.submissions.get(event.submission_no)
    return None if facts is None else facts.programme_code


async def _chain(
    store: EventStore, codec: EventCodec, chains: dict[str, Chain], programme: str | None
) -> Chain:
    """The programme's chain now (the default where none is configured or the programme is
    not known yet, in which case no approval can open)."""
    if programme is None:
        return chain_of(None)
    if programme not in chains:
        chains[programme] = chain_of((await load_chain(store, codec, programme))[0])
    return chains[programme]
