"""The payout's consumer: records the registry's submitted rows and terms and approval's
``BatchApproved`` in each roster's round stream, opens the round once they agree, gives every
row its first instruction, and keeps the projection current from the payout's own events and
the payees current from the registry's beneficiary events.

It runs inside the consumer's projection transaction, which also records the inbox. Every
event it appends derives its id from what caused it (the input, or the round's opening for the
instructions), so a redelivered message appends nothing twice; a round whose opening was
recorded but whose rows were not all instructed yet (a crash in between) is completed by the
next delivery of any input of the roster, and marked complete only then (``RoundInstructed``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Final

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import (
    PaymentBatchIssued,
    PaymentFailed,
    PaymentFlaggedForReview,
    PaymentInstructed,
    PaymentOutcomeUnknown,
    PaymentReversed,
    PaymentReviewResolved,
    PaymentSucceeded,
    ReturnedToTreasury,
    WorkingDayScheduleEntered,
)
from contracts.pii import PiiCipher
from infra.command_context import reaction_to
from infra.eventcodec import EventCodec
from infra.eventstore.port import NO_STREAM, EventStore, WrongExpectedVersion
from infra.projections.working_day_schedules import record_schedule
from infra.service import Handler
from infra.stream_commands import append_decided
from services.payout.adapters.tables import working_day_schedules
from services.payout.application.payees import record_payees
from services.payout.application.projection import project_round, project_rows, refresh_rows
from services.payout.application.statement_projection import project_statement_entries
from services.payout.application.streams import (
    APPEND_ATTEMPTS,
    fold_round,
    read,
    round_stream,
    row_stream,
)
from services.payout.domain.events import PaymentRoundOpened, RoundInstructed
from services.payout.domain.intake import INPUTS, decide_intake, first_instructions
from services.payout.domain.payee import PAYEE_EVENTS
from services.payout.domain.round import RoundState, evolve
from services.payout.domain.row import RowPayment
from services.payout.domain.row import evolve as evolve_row

SERVICE: Final = "payout"
ROW_EVENTS = (
    PaymentInstructed,
    PaymentSucceeded,
    PaymentFailed,
    PaymentOutcomeUnknown,
    PaymentFlaggedForReview,
    PaymentReviewResolved,
    PaymentReversed,
    ReturnedToTreasury,
)
CONSUMED: Final[tuple[type[Event], ...]] = (
    *INPUTS,
    PaymentBatchIssued,
    *ROW_EVENTS,
    *PAYEE_EVENTS,
    WorkingDayScheduleEntered,
)
"""What the consumer reads: its inputs, its own events (for the projection), the registry's
beneficiary events (the payees a re-issue pays) and the working-day schedules (the days the
bank's answers fall due)."""
CONCURRENT_APPENDS: Final = 200

log = structlog.get_logger()


def intake_handler(*, store: EventStore, codec: EventCodec, cipher: PiiCipher) -> Handler:
    async def on_payout_inputs(conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]) -> None:
        inputs: dict[str, list[Envelope[Event]]] = {}
        rounds: set[str] = set()
        rows: dict[tuple[str, int], int] = {}
        for envelope in envelopes:
            event = envelope.event
            if isinstance(event, INPUTS):
                inputs.setdefault(event.roster_id, []).append(envelope)
            elif isinstance(event, PaymentBatchIssued):
                rounds.add(event.roster_id)
            elif isinstance(event, ROW_EVENTS):
                key = (event.roster_id, event.row_no)
                rows[key] = max(rows.get(key, 0), envelope.stream_version or 0)
        for roster_id, causes in inputs.items():
            await take_in(
                conn, store=store, codec=codec, cipher=cipher, roster_id=roster_id, causes=causes
            )
            rounds.add(roster_id)
        for roster_id in rounds:
            await project_round(conn, store, codec, roster_id)
        await refresh_rows(conn, store, codec, cipher, rows)
        await record_payees(conn, cipher, envelopes)
        for envelope in envelopes:
            if isinstance(envelope.event, WorkingDayScheduleEntered):
                await record_schedule(conn, working_day_schedules, envelope.event)
        await project_statement_entries(conn, envelopes)

    return on_payout_inputs


async def take_in(
    conn: AsyncConnection,
    *,
    store: EventStore,
    codec: EventCodec,
    cipher: PiiCipher,
    roster_id: str,
    causes: Sequence[Envelope[Event]],
) -> RoundState | None:
    """Record ``causes`` (inputs about the roster, in log order) in its round stream in one
    append, then instruct the round's rows if it is open and not yet fully instructed."""
    envelopes = await _record(store, codec, roster_id, causes)
    state = fold_round(envelopes)
    opened = next((e for e in envelopes if isinstance(e.event, PaymentRoundOpened)), None)
    if state is None or opened is None or state.instructed:
        return state
    rows = await instruct(store=store, codec=codec, state=state, opened=opened)
    await project_rows(conn, cipher, [(row, 1) for row in rows])
    await _mark_instructed(store, codec, opened, len(rows), version=len(envelopes))
    return state


async def _record(
    store: EventStore, codec: EventCodec, roster_id: str, causes: Sequence[Envelope[Event]]
) -> list[Envelope[Event]]:
    """The round stream's envelopes once ``causes`` are recorded (the new ones as appended)."""
    stream_id = round_stream(roster_id)
    for _ in range(APPEND_ATTEMPTS):
        envelopes = await read(store, codec, stream_id)
        state = fold_round(envelopes)
        new: list[Envelope[Event]] = []
        for cause in causes:
            event = cause.event
            assert isinstance(event, INPUTS)
            context = reaction_to(cause, service=SERVICE)
            for index, decided in enumerate(decide_intake(event, state)):
                state = evolve(state, decided)
                new.append(context.envelope(decided, stream_id=stream_id, index=index))
        if not new:
            return envelopes
        encoded = [codec.encode(envelope) for envelope in new]
        try:
            await store.append(stream_id, encoded, expected_version=len(envelopes))
        except WrongExpectedVersion:
            log.info("payout.intake_retry", roster_id=roster_id)
            continue
        return [*envelopes, *new]
    raise RuntimeError(f"{stream_id} kept moving: {APPEND_ATTEMPTS} appends lost")


async def instruct(
    *, store: EventStore, codec: EventCodec, state: RoundState, opened: Envelope[Event]
) -> list[RowPayment]:
    """Give every row of the opened round its first instruction, each in its own new stream;
    the ids derive from the opening, so doing it again appends nothing (the store answers an
    append of ids it holds at the same places with the original result)."""
    context = reaction_to(opened, service=SERVICE)
    instructions = first_instructions(state)
    semaphore = asyncio.Semaphore(CONCURRENT_APPENDS)

    async def one(instruction: PaymentInstructed) -> None:
        stream_id = row_stream(instruction.roster_id, instruction.row_no)
        encoded = codec.encode(context.envelope(instruction, stream_id=stream_id))
        async with semaphore:
            await store.append(stream_id, [encoded], expected_version=NO_STREAM)

    await asyncio.gather(*(one(instruction) for instruction in instructions))
    return [row for i in instructions if (row := evolve_row(None, i)) is not None]


async def _mark_instructed(
    store: EventStore, codec: EventCodec, opened: Envelope[Event], count: int, *, version: int
) -> None:
    assert isinstance(opened.event, PaymentRoundOpened)
    stream_id = round_stream(opened.event.roster_id)
    context = reaction_to(opened, service=SERVICE)
    marker = RoundInstructed(roster_id=opened.event.roster_id, instruction_count=count)
    for _ in range(APPEND_ATTEMPTS):
        try:
            await append_decided(store, codec, context, stream_id, [marker], version)
            return
        except WrongExpectedVersion:
            envelopes = await read(store, codec, stream_id)
            state = fold_round(envelopes)
            if state is not None and state.instructed:
                return
            version = len(envelopes)
    raise RuntimeError(f"{stream_id} kept moving: {APPEND_ATTEMPTS} appends lost")
