"""The approvers' commands: sign the current level off, or send the roster back. Each is
authorise, load, decide, append; then the pending-work row is refreshed at once (the
consumer refreshes it again from the bus, so a refresh lost here is only late)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog

from contracts.base import Event
from contracts.envelope import Envelope
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.identity.permissions import Action, authorize
from infra.projections.database import ProjectionDatabase
from infra.stream_commands import append_decided
from services.approval.application.projection import project_approval
from services.approval.application.streams import approval_stream, fold, read_approval
from services.approval.domain.approval import (
    ApproveLevel,
    SendBack,
    decide_approve,
    decide_send_back,
)
from services.approval.domain.state import RosterApproval

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class Decided:
    """What a decision stored (nothing, for a retry) and the approval as it now stands."""

    events: Sequence[Event]
    state: RosterApproval


async def approve_level(
    *,
    store: EventStore,
    codec: EventCodec,
    projections: ProjectionDatabase,
    command: ApproveLevel,
    context: CommandContext,
) -> Decided:
    """Sign the current level off; at the last level the batch is approved in the same
    append (``BatchApproved``). Refusals: ``Forbidden`` (403) when the actor may not approve
    rosters of the township at all, ``Refused`` for the approval's own rules."""
    return await _decide(
        store, codec, projections, context, command.roster_id, lambda s: decide_approve(command, s)
    )


async def send_back(
    *,
    store: EventStore,
    codec: EventCodec,
    projections: ProjectionDatabase,
    command: SendBack,
    context: CommandContext,
) -> Decided:
    """Send the roster back to its makers with the reasons (``RosterSentBack``): this
    submission's approval is over."""
    return await _decide(
        store,
        codec,
        projections,
        context,
        command.roster_id,
        lambda s: decide_send_back(command, s),
    )


async def _decide(
    store: EventStore,
    codec: EventCodec,
    projections: ProjectionDatabase,
    context: CommandContext,
    roster_id: str,
    decide: Callable[[RosterApproval | None], Sequence[Event]],
) -> Decided:
    envelopes = await read_approval(store, codec, roster_id)
    state = fold(envelopes)
    authorize(context.actor, Action.ROSTER_APPROVE, _township(state, context))
    events = decide(state)
    stream_id = approval_stream(roster_id)
    await append_decided(store, codec, context, stream_id, events, len(envelopes))
    if events:
        envelopes = await read_approval(store, codec, roster_id)
        await _refresh(projections, roster_id, envelopes)
    after = fold(envelopes)
    assert after is not None  # a decision was made or refused on an existing approval
    return Decided(events, after)


def _township(state: RosterApproval | None, context: CommandContext) -> str | None:
    """Where the roster lies; the actor's own jurisdiction when nothing is known of it (the
    decider then answers that there is no such approval)."""
    if state is None or not state.submissions:
        return context.actor.jurisdiction_code
    return state.submissions[max(state.submissions)].township_code


async def _refresh(
    projections: ProjectionDatabase, roster_id: str, envelopes: Sequence[Envelope[Event]]
) -> None:
    try:
        async with projections.transaction() as conn:
            await project_approval(conn, envelopes)
    except Exception:
        log.warning("approval.projection_refresh_failed", roster_id=roster_id, exc_info=True)
