"""Re-issuing a failed row (补发): the owning office's request and county finance's order.
Each authorises, loads the row, the payee as the registry now holds them and the programme's
re-issue rule, decides, and appends at the row's version decided on; the projection is
refreshed at once, so the bank is handed the new instruction on its next call."""

from __future__ import annotations

from dataclasses import dataclass, replace

from contracts.pii import PiiCipher
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.identity.permissions import Action, authorize
from infra.projections.database import ProjectionDatabase
from infra.stream_commands import append_decided
from services.payout.application.payees import current_payee
from services.payout.application.projection import refresh_rows_now
from services.payout.application.reissue_rules import reissue_rule
from services.payout.application.streams import fold_row, load_row, row_stream
from services.payout.domain import refusals as refuse
from services.payout.domain.reissue import (
    ReissueRow,
    RequestReissue,
    decide_reissue,
    decide_request,
)
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
    review, for a rejection whose payee the registry has not corrected yet, and where the
    programme's rule wants the office's request first (or the order comes from its maker)."""
    command = replace(command, ordered_by=context.actor.user_id)
    row, version = await load_row(store, codec, command.roster_id, command.row_no)
    if row is None:
        authorize(context.actor, Action.PAYMENT_WRITE, context.actor.jurisdiction_code)
        raise refuse.row_not_found(command.row_no)
    authorize(context.actor, Action.PAYMENT_WRITE, row.first.township_code)
    payee = await current_payee(projections, cipher, row.first.beneficiary_id)
    rule = await reissue_rule(store, codec, row.first.programme_code)
    events = decide_reissue(command, row, payee=payee, rule=rule)
    stream_id = row_stream(command.roster_id, command.row_no)
    await append_decided(store, codec, context, stream_id, events, version)
    after = fold_row(events, row)
    assert after is not None
    if events:
        await refresh_rows_now(projections, cipher, [(after, version + len(events))])
    return Reissued(after, bool(events))


async def request_reissue(
    *,
    store: EventStore,
    codec: EventCodec,
    cipher: PiiCipher,
    projections: ProjectionDatabase,
    command: RequestReissue,
    context: CommandContext,
) -> Reissued:
    """The owning office asks for the row to be re-issued to the payee the registry now holds
    (``ReissueRequested``); ``issued`` says whether this call recorded it. Refusals as for the
    order, and ``Forbidden`` unless the actor may ask for payments in the row's township."""
    command = replace(command, requested_by=context.actor.user_id)
    row, version = await load_row(store, codec, command.roster_id, command.row_no)
    if row is None:
        authorize(context.actor, Action.PAYMENT_REQUEST, context.actor.jurisdiction_code)
        raise refuse.row_not_found(command.row_no)
    authorize(context.actor, Action.PAYMENT_REQUEST, row.first.township_code)
    payee = await current_payee(projections, cipher, row.first.beneficiary_id)
    events = decide_request(command, row, payee=payee)
    stream_id = row_stream(command.roster_id, command.row_no)
    await append_decided(store, codec, context, stream_id, events, version)
    after = fold_row(events, row)
    assert after is not None
    return Reissued(after, bool(events))
