"""The notify service's private events: the outcomes of a payment's SMS other than
``PaymentNoticeSent`` (an integration event). Kept ten years like every event, so an audit
replays what each beneficiary was told, or why not.

Stream: ``notification-<notification_id>``; at most one outcome each.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import Field

from contracts.base import Event
from contracts.events import EVENTS
from contracts.events.payout import InstructionId
from contracts.fields import Code, Count, Id, Text

Attempts = Annotated[int, Field(strict=True, ge=1)]
NotSendableReason = Literal["no_phone", "deceased", "moved_out"]


class PaymentNoticeFailed(Event):
    """The SMS of a payment could not be handed to the provider: refused for good
    (``reason`` the provider's code), or ``attempts_exhausted`` (``detail``: the last cause).
    Nothing more is tried; the failure is visible to the township."""

    event_type = "PaymentNoticeFailed"
    schema_version = 1

    notification_id: Id
    beneficiary_id: Id
    roster_id: Id
    row_no: Count
    instruction_id: InstructionId
    township_code: Code
    provider: Code
    reason: Code
    detail: Text | None = None
    attempts: Attempts


class PaymentNoticeNotSendable(Event):
    """The SMS of a payment was never sent: the register held no phone for the beneficiary
    within the wait (``no_phone``), or the beneficiary died or moved out first."""

    event_type = "PaymentNoticeNotSendable"
    schema_version = 1

    notification_id: Id
    beneficiary_id: Id
    roster_id: Id
    row_no: Count
    instruction_id: InstructionId
    township_code: Code
    reason: NotSendableReason


NOTIFY_EVENTS: Final = EVENTS.including([PaymentNoticeFailed, PaymentNoticeNotSendable])
"""Every event the notify service reads or writes: the integration events and its own."""
