"""A person's re-issue of a failed row (补发): authorise, load the row, decide, append at the
version decided on; the projection is refreshed at once, so the bank is handed the new
instruction on its next call."""

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
from services.payout.application.streams import fold_row, load_row, row_stream
from services.payout.domain import refusals as refuse
from services.payout.domain.reissue import ReissueRow, decide_reissue
from services.payout.domain.row import RowPayment


@dataclass(frozen=True, slots=True)
class Reissued:
    """The row after the order, and whether this call issued the instruction (False: a
    retried order that had already issued it)."""

    row: RowPayment
    issued: bool


async def reissue_row(
    *,
    store: EventStore,
    codec: EventCodec,
    cipher: PiiCipher,
    projections: ProjectionDatabase,
    command: ReissueRow,
    context: CommandContext,
) -> Reissued:
    """Issue the row's next attempt (``PaymentInstructed``, because ``reissue``). Refusals:
    ``Forbidden`` (403) unless the actor may make payments in the row's township; ``Refused``
    while an instruction is open or its outcome unknown, for a row paid, returned or under
    review, and for a rejection that needs the payee corrected first."""
    row, version = await load_row(store, codec, command.roster_id, command.row_no)
    if row is None:
        authorize(context.actor, Action.PAYMENT_WRITE, context.actor.jurisdiction_code)
        raise refuse.row_not_found(command.row_no)
    authorize(context.actor, Action.PAYMENT_WRITE, row.first.township_code)
    events = decide_reissue(command, row)
    stream_id = row_stream(command.roster_id, command.row_no)
    await append_decided(store, codec, context, stream_id, events, version)
    after = fold_row(events, row)
    assert after is not None
    if events:
        await refresh_rows_now(projections, cipher, [(after, version + len(events))])
    return Reissued(after, bool(events))
