"""Configure a programme's re-issue rule (the catalogue's keepers), and read the rule a
re-issue of the programme takes now."""

from __future__ import annotations

from contracts.envelope import Actor
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.identity.permissions import Action, authorize
from infra.stream_commands import append_decided
from services.payout.application.streams import read, rule_stream
from services.payout.domain.reissue_events import ReissueRule
from services.payout.domain.reissue_rules import (
    ConfigureReissueRule,
    RuleState,
    decide_configure,
    evolve_rule,
    rule_of,
)


async def load_rule(
    store: EventStore, codec: EventCodec, programme_code: str
) -> tuple[RuleState | None, int]:
    envelopes = await read(store, codec, rule_stream(programme_code))
    state: RuleState | None = None
    for envelope in envelopes:
        state = evolve_rule(state, envelope.event)
    return state, len(envelopes)


async def reissue_rule(store: EventStore, codec: EventCodec, programme_code: str) -> ReissueRule:
    """The rule a re-issue of the programme takes now (the default when none was set)."""
    state, _ = await load_rule(store, codec, programme_code)
    return rule_of(state)


async def configure_rule(
    *,
    store: EventStore,
    codec: EventCodec,
    command: ConfigureReissueRule,
    context: CommandContext,
) -> tuple[RuleState, bool]:
    """The programme's rule from now on, and whether this changed it. Only a user who may
    write the catalogue where the rule was first configured may change it (``Forbidden``)."""
    state, version = await load_rule(store, codec, command.programme_code)
    where = context.actor.jurisdiction_code if state is None else state.jurisdiction_code
    authorize(context.actor, Action.CATALOGUE_WRITE, where)
    events = decide_configure(command, state)
    await append_decided(
        store, codec, context, rule_stream(command.programme_code), events, version
    )
    for event in events:
        state = evolve_rule(state, event)
    assert state is not None
    return state, bool(events)


async def current_rule(
    *, store: EventStore, codec: EventCodec, actor: Actor, programme_code: str
) -> tuple[ReissueRule, int]:
    """The rule and its version (0: the default), for whoever may read payments."""
    authorize(actor, Action.PAYMENT_READ, actor.jurisdiction_code)
    state, _ = await load_rule(store, codec, programme_code)
    return rule_of(state), 0 if state is None else state.version
