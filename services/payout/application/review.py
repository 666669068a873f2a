"""A person's resolution of a bank answer flagged for review: authorise, read the row's stream,
decide, append at the version decided on; the projection is refreshed at once, so a row
released from review is handed to the bank (or re-issued) again without waiting for the bus."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.pii import PiiCipher
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.identity.permissions import Action, authorize
from infra.projections.database import ProjectionDatabase
from infra.stream_commands import append_decided
from services.payout.application.projection import refresh_rows_now
from services.payout.application.streams import fold_row, read, row_stream
from services.payout.domain import refusals as refuse
from services.payout.domain.review import ResolveReview, decide_review
from services.payout.domain.row import RowPayment


@dataclass(frozen=True, slots=True)
class Resolved:
    """The row after the resolution, and whether this call recorded it (False: a retried
    request already recorded)."""

    row: RowPayment
    recorded: bool


async def resolve_review(
    *,
    store: EventStore,
    codec: EventCodec,
    cipher: PiiCipher,
    projections: ProjectionDatabase,
    command: ResolveReview,
    context: CommandContext,
) -> Resolved:
    """Resolve one flag of the row (``PaymentReviewResolved``, and with ``accept_reported``
    the ``PaymentSucceeded`` or ``PaymentReversed`` that follows). Refusals: ``Forbidden``
    unless the actor may make payments in the row's township; ``Refused`` for a flag the row
    does not have or that was resolved otherwise, and for an answer that cannot be accepted."""
    stream_id = row_stream(command.roster_id, command.row_no)
    history = [envelope.event for envelope in await read(store, codec, stream_id)]
    row = fold_row(history)
    if row is None:
        authorize(context.actor, Action.PAYMENT_WRITE, context.actor.jurisdiction_code)
        raise refuse.row_not_found(command.row_no)
    authorize(context.actor, Action.PAYMENT_WRITE, row.first.township_code)
    events = decide_review(command, row, history)
    version = len(history)
    await append_decided(store, codec, context, stream_id, events, version)
    after = fold_row(events, row)
    assert after is not None
    if events:
        await refresh_rows_now(projections, cipher, [(after, version + len(events))])
    return Resolved(after, bool(events))
