"""One instruction as people read it: its row's payee (account masked), amount and status,
every attempt, and every step with when and by whom (000 art.19: every change can be
replayed). A read of personal data, logged before it is answered (000 art.20)."""

from __future__ import annotations

from typing import Any

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import (
    PaymentFailed,
    PaymentFlaggedForReview,
    PaymentInstructed,
    PaymentOutcomeUnknown,
    PaymentReversed,
    PaymentReviewResolved,
    PaymentSucceeded,
    ReturnedToTreasury,
)
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.identity.permissions import Action, authorize
from services.payout.application.reads import ReadContext, log_payment_read
from services.payout.application.streams import fold_row, read, row_stream
from services.payout.domain import refusals as refuse
from services.payout.domain.events import BankResultNoted
from services.payout.domain.instructions import parse_instruction_id


async def instruction_history(
    *, store: EventStore, codec: EventCodec, read_context: ReadContext, instruction_id: str
) -> dict[str, Any]:
    """The row the instruction belongs to: its payee (account masked), amount and status,
    every attempt, and every step with when and by whom. ``Forbidden`` outside the reader's
    jurisdiction, ``Refused`` (404) for an id naming no instruction; the read is logged
    before it is answered."""
    actor = read_context.actor
    ref = parse_instruction_id(instruction_id)
    envelopes = (
        [] if ref is None else await read(store, codec, row_stream(ref.roster_id, ref.row_no))
    )
    row = fold_row([envelope.event for envelope in envelopes])
    if ref is None or row is None or row.attempt(instruction_id) is None:
        authorize(actor, Action.PAYMENT_READ, actor.jurisdiction_code)
        raise refuse.instruction_not_found()
    first = row.first
    authorize(actor, Action.PAYMENT_READ, first.township_code)
    await log_payment_read(store, read_context, roster_id=first.roster_id, row_nos=(first.row_no,))
    return {
        "instruction_id": instruction_id,
        "roster_id": first.roster_id,
        "row_no": first.row_no,
        "round_id": first.round_id,
        "programme_name": first.programme_name,
        "township_code": first.township_code,
        "village_code": first.village_code,
        "beneficiary_id": first.beneficiary_id,
        "name": first.name,
        "bank_code": first.bank_code,
        "account_no": first.account_no.masked(),
        "amount_fen": first.amount_fen,
        "row_status": row.status,
        "paid_by": row.paid_by,
        "attempts": [
            {
                "instruction_id": attempt.instruction_id,
                "attempt": attempt.instruction.attempt,
                "because": attempt.instruction.because,
                "status": attempt.status,
                "bank_reference": attempt.bank_reference,
                "reason_code": attempt.reason_code,
                "reason_text": attempt.reason_text,
            }
            for attempt in row.attempts
        ],
        "concerns": [{"instruction_id": i, "concern": c} for i, c in row.concerns],
        "history": [step for envelope in envelopes if (step := _step(envelope)) is not None],
    }


def _step(envelope: Envelope[Event]) -> dict[str, Any] | None:
    described = _described(envelope.event)
    if described is None:
        return None
    step, details = described
    return {
        "at": envelope.occurred_at.isoformat(),
        "by": envelope.actor.user_id,
        "step": step,
        **details,
    }


def _described(event: Event) -> tuple[str, dict[str, Any]] | None:
    if isinstance(event, PaymentInstructed):
        return "instructed", {
            "instruction_id": event.instruction_id,
            "because": event.because,
            "reissue_of": event.reissue_of,
            "note": event.note,
        }
    if isinstance(event, PaymentSucceeded):
        value_date = None if event.value_date is None else event.value_date.isoformat()
        return "succeeded", {
            "instruction_id": event.instruction_id,
            "bank_reference": event.bank_reference,
            "value_date": value_date,
        }
    if isinstance(event, PaymentFailed):
        return "failed", {
            "instruction_id": event.instruction_id,
            "reason_code": event.reason_code,
            "reason_text": event.reason_text,
            "retryable": event.retryable,
        }
    if isinstance(event, PaymentOutcomeUnknown):
        return "outcome_unknown", {"instruction_id": event.instruction_id, "detail": event.detail}
    if isinstance(event, PaymentFlaggedForReview):
        return "flagged", {
            "instruction_id": event.instruction_id,
            "concern": event.concern,
            "reported": event.reported,
            "bank_reference": event.bank_reference,
            "reason_code": event.reason_code,
        }
    if isinstance(event, PaymentReviewResolved):
        return "review_resolved", {
            "instruction_id": event.instruction_id,
            "concern": event.concern,
            "decision": event.decision,
            "note": event.note,
        }
    if isinstance(event, PaymentReversed):
        return "reversed", {
            "instruction_id": event.instruction_id,
            "reason_code": event.reason_code,
            "reason_text": event.reason_text,
        }
    if isinstance(event, BankResultNoted):
        return f"answer_{event.disposition}", {
            "instruction_id": event.instruction_id,
            "outcome": event.outcome,
        }
    if isinstance(event, ReturnedToTreasury):
        return "returned_to_treasury", {"reason_code": event.reason_code}
    return None
