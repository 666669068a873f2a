"""The catalogue's commands and reads: programmes (stream ``programme-<code>``) and the
townships and villages of a county (stream ``division-<county code>``).

Each command loads its stream, decides, and appends at the version it read; event ids derive
from the request's idempotency key, and a command already applied decides nothing, so a
retried request stores nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from contracts.base import Event
from contracts.envelope import Envelope
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import AppendResult, EventStore
from services.registry.domain import divisions, programme
from services.registry.domain.programme_terms import DEFAULT_NOTICE_MINIMUMS

S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Decided(Generic[S]):
    """The aggregate after the command, the events it decided (none when it was already
    applied), and where they landed."""

    state: S
    events: tuple[Event, ...]
    appended: AppendResult | None


@dataclass(frozen=True, slots=True)
class ProgrammeChange:
    """One event of a programme's history, with who made it and when."""

    version: int
    event_type: str
    reason: str | None
    occurred_at: datetime
    user_id: str


@dataclass(frozen=True, slots=True)
class ProgrammeRecord:
    programme: programme.Programme
    changes: tuple[ProgrammeChange, ...]


def programme_stream(code: str) -> str:
    return f"programme-{code}"


def division_stream(county_code: str) -> str:
    return f"division-{county_code}"


async def define_programme(
    *,
    store: EventStore,
    codec: EventCodec,
    command: programme.DefineProgramme,
    context: CommandContext,
    notice_minimums: Mapping[str, int] = DEFAULT_NOTICE_MINIMUMS,
) -> Decided[programme.Programme]:
    """Enter a programme in the catalogue as version 1. Raises ``Refused`` (nothing stored)
    for an invalid code or terms, or a code already in use with other terms."""
    return await _programme_command(store, codec, command, context, notice_minimums)


async def revise_programme(
    *,
    store: EventStore,
    codec: EventCodec,
    command: programme.ReviseProgramme,
    context: CommandContext,
    notice_minimums: Mapping[str, int] = DEFAULT_NOTICE_MINIMUMS,
) -> Decided[programme.Programme]:
    """Make the command's terms the next version; earlier versions stay readable. Refused for
    an unknown or retired programme, or invalid terms; unchanged terms store nothing."""
    return await _programme_command(store, codec, command, context, notice_minimums)


async def retire_programme(
    *,
    store: EventStore,
    codec: EventCodec,
    command: programme.RetireProgramme,
    context: CommandContext,
) -> Decided[programme.Programme]:
    """Retire the programme from the command's day; refused for an unknown one."""
    return await _programme_command(store, codec, command, context, DEFAULT_NOTICE_MINIMUMS)


async def register_division(
    *,
    store: EventStore,
    codec: EventCodec,
    command: divisions.RegisterDivisions,
    context: CommandContext,
) -> Decided[divisions.CountyDivisions]:
    """Register the command's townships and villages of one county, all or none. Refused for
    an unknown or retired county, a code outside it, a village before its township, or a code
    registered under another name."""
    stream_id = division_stream(command.county_code)
    state, envelopes = await _load(store, codec, stream_id, divisions.evolve)
    events = divisions.decide(command, state)
    appended = await _append(store, codec, stream_id, events, context, len(envelopes))
    for event in events:
        state = divisions.evolve(state, event)
    assert state is not None  # a decided command leaves the county with divisions
    return Decided(state, tuple(events), appended)


async def load_programme(
    *, store: EventStore, codec: EventCodec, code: str
) -> ProgrammeRecord | None:
    """The programme with every version's terms, and its history; None when unknown."""
    state, envelopes = await _load(store, codec, programme_stream(code), programme.evolve)
    if state is None:
        return None
    return ProgrammeRecord(state, tuple(_change(envelope) for envelope in envelopes))


async def load_divisions(
    *, store: EventStore, codec: EventCodec, county_code: str
) -> divisions.CountyDivisions | None:
    """The townships and villages registered under a county; None when it has none."""
    state, _ = await _load(store, codec, division_stream(county_code), divisions.evolve)
    return state


async def _programme_command(
    store: EventStore,
    codec: EventCodec,
    command: programme.ProgrammeCommand,
    context: CommandContext,
    notice_minimums: Mapping[str, int],
) -> Decided[programme.Programme]:
    stream_id = programme_stream(command.code)
    state, envelopes = await _load(store, codec, stream_id, programme.evolve)
    events = programme.decide(command, state, notice_minimums=notice_minimums)
    appended = await _append(store, codec, stream_id, events, context, len(envelopes))
    for event in events:
        state = programme.evolve(state, event)
    assert state is not None  # a decided command leaves a programme
    return Decided(state, tuple(events), appended)


async def _load(
    store: EventStore,
    codec: EventCodec,
    stream_id: str,
    evolve: Callable[[S | None, object], S | None],
) -> tuple[S | None, list[Envelope[Event]]]:
    envelopes = [codec.decode(record) for record in await store.read_stream(stream_id)]
    state: S | None = None
    for envelope in envelopes:
        state = evolve(state, envelope.event)
    return state, envelopes


async def _append(
    store: EventStore,
    codec: EventCodec,
    stream_id: str,
    events: Sequence[Event],
    context: CommandContext,
    expected_version: int,
) -> AppendResult | None:
    if not events:
        return None
    stored = [
        codec.encode(context.envelope(event, stream_id=stream_id, index=index))
        for index, event in enumerate(events)
    ]
    return await store.append(stream_id, stored, expected_version=expected_version)


def _change(envelope: Envelope[Event]) -> ProgrammeChange:
    event = envelope.event
    assert isinstance(event, programme.ProgrammeEvent)
    return ProgrammeChange(
        version=event.version,
        event_type=event.event_type,
        reason=getattr(event, "reason", None),
        occurred_at=envelope.occurred_at,
        user_id=envelope.actor.user_id,
    )
