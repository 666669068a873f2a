"""Configure a programme's approval chain (an administrator of the catalogue), and read the
chain an approval of the programme opening now would take."""

from __future__ import annotations

from contracts.envelope import Actor
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.identity.permissions import Action, authorize
from infra.stream_commands import append_decided
from services.approval.application.streams import chain_stream, load_chain
from services.approval.domain.chain import (
    Chain,
    ConfigureChain,
    chain_of,
    decide_configure,
    evolve_chain,
)


async def configure_chain(
    *, store: EventStore, codec: EventCodec, command: ConfigureChain, context: CommandContext
) -> tuple[Chain, bool]:
    """The programme's chain from now on, and whether this changed it. Only a user who may
    write the catalogue where the chain was first configured may change it (``Forbidden``);
    approvals already open keep their chain."""
    state, version = await load_chain(store, codec, command.programme_code)
    where = context.actor.jurisdiction_code if state is None else state.jurisdiction_code
    authorize(context.actor, Action.CATALOGUE_WRITE, where)
    events = decide_configure(command, state)
    stream_id = chain_stream(command.programme_code)
    await append_decided(store, codec, context, stream_id, events, version)
    for event in events:
        state = evolve_chain(state, event)
    return chain_of(state), bool(events)


async def current_chain(
    *, store: EventStore, codec: EventCodec, actor: Actor, programme_code: str
) -> Chain:
    """The chain an approval of the programme opening now would take (the default when none
    was configured). Readable by whoever may read rosters in their jurisdiction."""
    authorize(actor, Action.ROSTER_READ, actor.jurisdiction_code)
    state, _ = await load_chain(store, codec, programme_code)
    return chain_of(state)
