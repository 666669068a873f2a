"""The notify's port to the outside: whoever carries an SMS to a phone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from contracts.pii import PhoneNo
from services.notify.domain.delivery import SendOutcome


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    """One message for one number. ``notification_id`` is the idempotency key: handing the
    same message over again after a lost answer must not become a second SMS where the
    provider honours it. The phone is opened (``reveal()``) by the provider, when it sends."""

    notification_id: str
    phone: PhoneNo
    text: str


class SmsProvider(Protocol):
    """Hands a message over. Never raises for the provider's answers: a refusal is
    ``Permanent``, anything worth another try ``Transient``, with a code (no personal data)."""

    name: str

    async def send(self, sms: OutgoingSms) -> SendOutcome: ...
