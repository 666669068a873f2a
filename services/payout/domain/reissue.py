"""A person re-issues a failed row (补发, 002 §3(4): "再次补发，直至发放成功"): the next attempt,
its own instruction id linked to the one it follows.

Only after a definite rejection: never while an instruction is open (awaiting an answer, or
its outcome unknown — that is queried, never paid again blindly), never for a row paid,
returned or under review. A rejection that needs the payee corrected (closed, unknown or
invalid account, name mismatch) is re-issued only with the corrected payee, which comes
through the registry's review, not from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.events import PaymentInstructed
from services.payout.domain import refusals as refuse
from services.payout.domain.instructions import next_attempt
from services.payout.domain.reasons import REASONS
from services.payout.domain.row import RowPayment


@dataclass(frozen=True, slots=True)
class ReissueRow:
    roster_id: str
    row_no: int
    note: str


def decide_reissue(command: ReissueRow, row: RowPayment | None) -> list[PaymentInstructed]:
    """The row's next instruction; refusals say why it cannot be re-issued now."""
    if row is None:
        raise refuse.row_not_found(command.row_no)
    note = command.note.strip()
    if not note:
        raise refuse.note_required()
    check_settled(row)
    latest = row.latest
    if latest.status == "pending" and _retried(latest.instruction, note):
        return []
    if latest.status == "pending":
        raise refuse.instruction_open()
    if latest.status == "unknown":
        raise refuse.outcome_unknown()
    reason = REASONS.get(latest.reason_code or "")
    if reason is None or not reason.same_payee:
        raise refuse.correction_required(latest.reason_text or latest.reason_code or "未知")
    return [next_attempt(latest.instruction, because="reissue", note=note)]


def _retried(latest: PaymentInstructed, note: str) -> bool:
    """The same order again (a retried request): its re-issue is the latest instruction and
    still awaits its answer."""
    return latest.because == "reissue" and latest.note == note


def check_settled(row: RowPayment) -> None:
    """Refuse any change to a row that is paid, returned, or under review."""
    if row.paid_by is not None:
        raise refuse.row_paid()
    if row.returned:
        raise refuse.row_returned()
    if row.concerns:
        raise refuse.under_review()
