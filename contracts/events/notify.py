"""Integration events published by the notify service.

Stream: ``notification-<notification_id>``.
"""

from __future__ import annotations

from typing import Literal

from contracts.base import Event
from contracts.fields import Id


class PaymentNoticeSent(Event):
    """The beneficiary was told of a payment of one row (programme, amount, date).

    Guarantees: handed to the channel's provider once for this row; delivery to the phone is
    not guaranteed. The phone number is not repeated here: it lives in the register.
    """

    event_type = "PaymentNoticeSent"
    schema_version = 1

    notification_id: Id
    beneficiary_id: Id
    roster_id: Id
    row_id: Id
    channel: Literal["sms"]
