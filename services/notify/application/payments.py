"""The notify's consumer of the payout's events: each ``PaymentSucceeded`` becomes one SMS in
the outbox, and failures and reviews become notices on the responsible office's work queue.

It runs inside the consumer's transaction, which also records the events in its inbox: the
decision to send commits with the record that the payment was consumed, or neither does. The
outbox's unique keys (the paid instruction, the source event) make a replay of the payout's
topic into a fresh inbox insert nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import PaymentSucceeded
from contracts.zones import local_date
from infra.service import Handler
from services.notify.adapters.tables import INSERTS, sms_outbox
from services.notify.application.work_notices import apply_work_changes
from services.notify.domain.message import SmsTemplates, notification_id_of
from services.notify.domain.work_queue import WORK_EVENTS

CONSUMED: Final = WORK_EVENTS
"""What the consumer reads: the payout's successes, failures, reviews, re-issues, returns."""


def payments_handler(templates: SmsTemplates) -> Handler:
    async def on_payment_events(
        conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]
    ) -> None:
        await queue_payment_sms(conn, envelopes, templates)
        await apply_work_changes(conn, envelopes)

    return on_payment_events


async def queue_payment_sms(
    conn: AsyncConnection, envelopes: Sequence[Envelope[Event]], templates: SmsTemplates
) -> int:
    """Put one SMS per paid instruction in the outbox (a known one again inserts nothing);
    return how many were new."""
    rows = [
        outbox_row(envelope, envelope.event, templates)
        for envelope in envelopes
        if isinstance(envelope.event, PaymentSucceeded)
    ]
    if not rows:
        return 0
    statement = INSERTS[conn.dialect.name](sms_outbox).on_conflict_do_nothing()
    result = await conn.execute(statement.returning(sms_outbox.c.notification_id), rows)
    return len(result.all())


def outbox_row(
    envelope: Envelope[Event], paid: PaymentSucceeded, templates: SmsTemplates
) -> dict[str, Any]:
    """The SMS of one payment: dated by the bank's value date, else the day it was recorded
    (China's calendar); due at once."""
    day = paid.value_date or local_date(envelope.occurred_at)
    text = templates.render(
        division_code=paid.township_code,
        programme=paid.programme_name,
        amount_fen=paid.amount_fen,
        day=day,
    )
    return {
        "notification_id": notification_id_of(paid.instruction_id),
        "instruction_id": paid.instruction_id,
        "source_event_id": envelope.event_id,
        "correlation_id": envelope.correlation_id,
        "roster_id": paid.roster_id,
        "row_no": paid.row_no,
        "beneficiary_id": paid.beneficiary_id,
        "township_code": paid.township_code,
        "programme_code": paid.programme_code,
        "amount_fen": paid.amount_fen,
        "template": templates.key_for(paid.township_code),
        "text": text,
        "status": "pending",
        "attempts": 0,
        "decided_at": envelope.occurred_at,
        "due_at": envelope.occurred_at,
    }
