"""The approval's two streams: load one folded (with the version an append will expect), and
append what a decider decided."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.base import Event
from contracts.envelope import Envelope
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from services.approval.domain.chain import Chain, evolve_chain
from services.approval.domain.state import RosterApproval, evolve


def approval_stream(roster_id: str) -> str:
    return f"approval-{roster_id}"


def chain_stream(programme_code: str) -> str:
    return f"approvalchain-{programme_code}"


async def read_approval(
    store: EventStore, codec: EventCodec, roster_id: str
) -> list[Envelope[Event]]:
    """Every event of the roster's approval stream, decoded, in order."""
    return [codec.decode(record) for record in await store.read_stream(approval_stream(roster_id))]


def fold(envelopes: Sequence[Envelope[Event]]) -> RosterApproval | None:
    state: RosterApproval | None = None
    for envelope in envelopes:
        state = evolve(state, envelope.event)
    return state


async def load_approval(
    store: EventStore, codec: EventCodec, roster_id: str
) -> tuple[RosterApproval | None, int]:
    """The roster's approval state and its stream's version."""
    envelopes = await read_approval(store, codec, roster_id)
    return fold(envelopes), len(envelopes)


async def load_chain(
    store: EventStore, codec: EventCodec, programme_code: str
) -> tuple[Chain | None, int]:
    """The programme's configured chain (None: never configured) and its stream's version."""
    records = await store.read_stream(chain_stream(programme_code))
    state: Chain | None = None
    for record in records:
        state = evolve_chain(state, codec.decode(record).event)
    return state, len(records)
