"""Integration events published by the notify service.

Stream: ``notification-<notification_id>``: one payment's SMS to its beneficiary (002 §2(5):
the programme's standard name, the amount and the date of the payment).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from contracts.base import Event
from contracts.events.payout import InstructionId
from contracts.fields import Code, Count, Id, Text

SmsText = Annotated[str, StringConstraints(min_length=1, max_length=500)]
"""The message as handed to the provider (Chinese text, no personal data)."""


class PaymentNoticeSent(Event):
    """The beneficiary was told of one payment (``instruction_id``, a ``PaymentSucceeded``):
    programme, amount, date, in ``text``.

    Guarantees: at most one per paid instruction (``notification_id`` derives from it), handed
    to ``provider`` after ``attempts`` tries; delivery to the phone is not guaranteed. The phone
    number is not repeated here: it lives in the register. ``text`` is None only in v1 events.
    """

    event_type = "PaymentNoticeSent"
    schema_version = 2

    notification_id: Id
    beneficiary_id: Id
    roster_id: Id
    row_no: Count
    instruction_id: InstructionId
    township_code: Code
    channel: Literal["sms"]
    provider: Code
    provider_reference: Text | None = None
    text: SmsText | None = None
    attempts: Annotated[int, Field(strict=True, ge=1)]


def payment_notice_sent_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 (a placeholder no release wrote) named the row by id and nothing of the sending: the
    row by number (0 when its id was not one), the rest ``unknown``, one attempt, no text."""
    rest = {key: value for key, value in data.items() if key != "row_id"}
    row_id = data.get("row_id")
    return {
        **rest,
        "row_no": int(row_id) if isinstance(row_id, str) and row_id.isdigit() else 0,
        "instruction_id": "unknown",
        "township_code": "unknown",
        "provider": "unknown",
        "provider_reference": None,
        "text": None,
        "attempts": 1,
    }
