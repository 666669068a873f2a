"""One payment's SMS as a decider: its stream records at most one outcome — sent, failed or
not sendable — so a replayed decision, a second dispatcher or a rebuilt outbox finds the
outcome already there and records (and sends) nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contracts.base import Event
from contracts.events import PaymentNoticeSent
from services.notify.domain.delivery import GaveUp, Sent
from services.notify.domain.events import (
    NotSendableReason,
    PaymentNoticeFailed,
    PaymentNoticeNotSendable,
)

Outcome = Literal["sent", "failed", "not_sendable"]


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """Which payment the SMS tells of, and to whom."""

    notification_id: str
    beneficiary_id: str
    roster_id: str
    row_no: int
    instruction_id: str
    township_code: str

    def fields(self) -> dict[str, object]:
        return {
            "notification_id": self.notification_id,
            "beneficiary_id": self.beneficiary_id,
            "roster_id": self.roster_id,
            "row_no": self.row_no,
            "instruction_id": self.instruction_id,
            "township_code": self.township_code,
        }


@dataclass(frozen=True, slots=True)
class RecordSent:
    facts: NoticeFacts
    sent: Sent
    provider: str
    text: str


@dataclass(frozen=True, slots=True)
class RecordFailed:
    facts: NoticeFacts
    gave_up: GaveUp
    provider: str


@dataclass(frozen=True, slots=True)
class RecordNotSendable:
    facts: NoticeFacts
    reason: NotSendableReason


Command = RecordSent | RecordFailed | RecordNotSendable


@dataclass(frozen=True, slots=True)
class NoticeState:
    outcome: Outcome


def decide(command: Command, state: NoticeState | None) -> list[Event]:
    """The outcome to record; ``[]`` when the stream already holds one."""
    if state is not None:
        return []
    fields = command.facts.fields()
    if isinstance(command, RecordSent):
        sent = command.sent
        return [
            PaymentNoticeSent.model_validate(
                {
                    **fields,
                    "channel": "sms",
                    "provider": command.provider,
                    "provider_reference": sent.reference,
                    "text": command.text,
                    "attempts": sent.attempts,
                }
            )
        ]
    if isinstance(command, RecordFailed):
        gave_up = command.gave_up
        return [
            PaymentNoticeFailed.model_validate(
                {
                    **fields,
                    "provider": command.provider,
                    "reason": gave_up.reason,
                    "detail": gave_up.detail,
                    "attempts": gave_up.attempts,
                }
            )
        ]
    return [PaymentNoticeNotSendable.model_validate({**fields, "reason": command.reason})]


def evolve(state: NoticeState | None, event: object) -> NoticeState | None:
    if isinstance(event, PaymentNoticeSent):
        return NoticeState("sent")
    if isinstance(event, PaymentNoticeFailed):
        return NoticeState("failed")
    if isinstance(event, PaymentNoticeNotSendable):
        return NoticeState("not_sendable")
    return state
