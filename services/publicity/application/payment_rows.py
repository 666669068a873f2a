"""The payments projection, fed by the payout's events: each roster row's payment as the
disclosure, the lookup and the clear card show it (masked when written), and every bank
rejection for the supervisors' failure reasons. Events of one roster come in log order (one
partition per roster); each sets only its own columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import (
    PaymentFailed,
    PaymentInstructed,
    PaymentReversed,
    PaymentSucceeded,
    ReturnedToTreasury,
)
from contracts.masking import mask_card_account, mask_name
from contracts.zones import local_date
from services.publicity.adapters.disclosure_tables import payment_failures, payment_rows
from services.publicity.adapters.upsert import upsert

PAYMENT_EVENTS: Final = (
    PaymentInstructed,
    PaymentSucceeded,
    PaymentFailed,
    PaymentReversed,
    ReturnedToTreasury,
)
_ROW: Final = ("roster_id", "row_no")


async def on_payment_events(conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]) -> None:
    """Apply the batch in order (the inbox guarantees each event once)."""
    for envelope in envelopes:
        values = _row_values(envelope)
        if values is not None:
            await upsert(conn, payment_rows, values, keys=_ROW)
        failure = _failure(envelope)
        if failure is not None:
            await upsert(conn, payment_failures, failure, keys=("instruction_id",))


def _row_values(envelope: Envelope[Event]) -> dict[str, Any] | None:
    event, at = envelope.event, envelope.occurred_at
    if isinstance(event, PaymentInstructed):
        return {
            **_key(event),
            "township_code": event.township_code,
            "village_code": event.village_code,
            "programme_code": event.programme_code,
            "programme_name": event.programme_name,
            "round_id": event.round_id,
            "beneficiary_id": event.beneficiary_id,
            "masked_name": mask_name(event.name),
            "masked_account": mask_card_account(event.account_no.reveal()),
            "amount_fen": event.amount_fen,
            "status": "instructed",
            "attempts": event.attempt,
            "instructed_at": at,
        }
    if isinstance(event, PaymentSucceeded):
        paid_on = event.value_date or local_date(at)
        return {**_key(event), "status": "paid", "paid_on": paid_on, "amount_fen": event.amount_fen}
    if isinstance(event, PaymentFailed | PaymentReversed):
        return {
            **_key(event),
            "status": "failed",
            "paid_on": None,
            "failed_at": at,
            "reason_code": event.reason_code,
        }
    if isinstance(event, ReturnedToTreasury):
        return {
            **_key(event),
            "status": "returned",
            "returned_at": at,
            "round_id": event.round_id,
            "reason_code": event.reason_code,
        }
    return None


def _key(event: Any) -> dict[str, Any]:
    return {"roster_id": event.roster_id, "row_no": event.row_no}


def _failure(envelope: Envelope[Event]) -> dict[str, Any] | None:
    event = envelope.event
    if not isinstance(event, PaymentFailed | PaymentReversed):
        return None
    kind = "failed" if isinstance(event, PaymentFailed) else "reversed"
    return {
        "instruction_id": f"{event.instruction_id}/{kind}",
        "roster_id": event.roster_id,
        "row_no": event.row_no,
        "township_code": event.township_code,
        "programme_code": event.programme_code,
        "reason_code": event.reason_code,
        "reason_text": event.reason_text,
        "amount_fen": event.amount_fen,
        "failed_at": envelope.occurred_at,
    }
