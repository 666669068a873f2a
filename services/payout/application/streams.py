"""The payout's streams: their names, loading one folded (with the version an append will
expect), and appending what a decider decided.

A round is ``payout-<roster_id>``; each of its rows ``payment-<roster_id>-<row_no>``, which
holds every instruction of the row and every answer: the row's one success is guarded by the
version its decision was made on. Answers naming no instruction of ours are kept per bank and
day in China (``payoutunmatched-<bank>-<yyyymmdd>``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from contracts.base import Event
from contracts.envelope import Envelope
from infra.clock import CHINA
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from services.payout.domain.round import RoundState
from services.payout.domain.round import evolve as evolve_round
from services.payout.domain.row import RowPayment
from services.payout.domain.row import evolve as evolve_row

APPEND_ATTEMPTS = 5
"""Tries of one decision against a stream that keeps moving (each on the new state)."""


def round_stream(roster_id: str) -> str:
    return f"payout-{roster_id}"


def row_stream(roster_id: str, row_no: int) -> str:
    return f"payment-{roster_id}-{row_no}"


def rule_stream(programme_code: str) -> str:
    return f"reissuerule-{programme_code}"


def unmatched_stream(bank_code: str, at: datetime) -> str:
    return f"payoutunmatched-{bank_code}-{at.astimezone(CHINA):%Y%m%d}"


async def read(store: EventStore, codec: EventCodec, stream_id: str) -> list[Envelope[Event]]:
    """Every event of one stream, decoded, in order."""
    return [codec.decode(record) for record in await store.read_stream(stream_id)]


def fold_round(envelopes: Sequence[Envelope[Event]]) -> RoundState | None:
    state: RoundState | None = None
    for envelope in envelopes:
        state = evolve_round(state, envelope.event)
    return state


def fold_row(events: Sequence[Event], row: RowPayment | None = None) -> RowPayment | None:
    """``row`` (None: a row not instructed yet) after ``events``."""
    for event in events:
        row = evolve_row(row, event)
    return row


async def load_row(
    store: EventStore, codec: EventCodec, roster_id: str, row_no: int
) -> tuple[RowPayment | None, int]:
    """The row's payment and its stream's version (None, 0: no instruction for it)."""
    records = await store.read_stream(row_stream(roster_id, row_no))
    return fold_row([codec.decode_event(record) for record in records]), len(records)
