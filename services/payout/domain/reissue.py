"""Re-issuing a failed row (补发, 002 §3(4): finance "督促业务主管部门及时核实修改相关补贴对象
信息, 并进行再次补发, 直至发放成功"): the next attempt, its own instruction id linked to the
one it follows.

Only after a definite rejection: never while an instruction is open (awaiting an answer, or
its outcome unknown — that is queried, never paid again blindly), never for a row paid,
returned or under review.

Whom it pays: the payee as the registry now holds them (``Payee``), when that differs from
what the rejected attempt paid; otherwise the same payee. A rejection that needs the payee
corrected (closed, unknown or invalid account, name mismatch) is re-issued only once the
registry holds a corrected payee — a new account declared through its reviewed re-application,
or a corrected name; the payout never edits a payee. A payee the registry holds as closed,
frozen, without an account, dead or moved away is not paid.

How it is approved is the programme's re-issue rule: county finance orders it
(``finance_order``), or the owning office that corrected the data asks (``ReissueRequested``)
and county finance approves exactly what was asked, the asker never the approver
(``office_request``).
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.events import PaymentInstructed
from services.payout.domain import refusals as refuse
from services.payout.domain.instructions import Payment, next_attempt
from services.payout.domain.payee import Payee
from services.payout.domain.reasons import REASONS
from services.payout.domain.reissue_events import ReissueRequested, ReissueRule
from services.payout.domain.row import Attempt, RowPayment


@dataclass(frozen=True, slots=True)
class ReissueRow:
    roster_id: str
    row_no: int
    note: str
    ordered_by: str = ""
    """Set by the application from who gives the order."""


@dataclass(frozen=True, slots=True)
class RequestReissue:
    roster_id: str
    row_no: int
    note: str
    requested_by: str = ""


def decide_reissue(
    command: ReissueRow,
    row: RowPayment | None,
    *,
    payee: Payee | None = None,
    rule: ReissueRule = "finance_order",
) -> list[PaymentInstructed]:
    """County finance's order: the row's next instruction. Refusals say why it cannot be
    re-issued now; the same order again (a retried request) issues nothing more."""
    if row is None:
        raise refuse.row_not_found(command.row_no)
    note = command.note.strip()
    if not note:
        raise refuse.note_required()
    check_settled(row)
    latest = row.latest
    if latest.status == "pending" and _retried(latest.instruction, note):
        return []
    rejected = _rejected(latest)
    target = payment_to(rejected, payee)
    if rule == "office_request":
        _check_request(row.request, command, target)
    return [next_attempt(rejected.instruction, because="reissue", note=note, payment=target)]


def decide_request(
    command: RequestReissue, row: RowPayment | None, *, payee: Payee | None
) -> list[ReissueRequested]:
    """The owning office's request to re-issue the row to the payee the registry now holds.
    The same request again records nothing; a new one replaces an open one (the payee may
    have been corrected again)."""
    if row is None:
        raise refuse.row_not_found(command.row_no)
    note = command.note.strip()
    if not note:
        raise refuse.note_required()
    check_settled(row)
    rejected = _rejected(row.latest)
    target = payment_to(rejected, payee)
    request = row.request
    if (
        request is not None
        and request.note == note
        and request.requested_by == command.requested_by
        and _asked(request) == target
    ):
        return []
    return [
        ReissueRequested(
            roster_id=row.first.roster_id,
            row_no=row.first.row_no,
            rejected_instruction_id=rejected.instruction_id,
            bank_code=target.bank_code,
            account_no=target.account_no,
            name=target.name,
            note=note,
            requested_by=command.requested_by,
        )
    ]


def payment_to(rejected: Attempt, payee: Payee | None) -> Payment:
    """Whom the next attempt after ``rejected`` pays: the registry's payee where it differs
    from what was paid, else the same; refused while the rejection's cause is not cleared or
    the registry holds the payee as not payable."""
    instruction = rejected.instruction
    if payee is not None and payee.pays_differently_from(instruction):
        if not payee.payable:
            raise refuse.payee_not_payable(payee.account_status, payee.active)
        assert payee.bank_code is not None  # pays_differently_from: an account is declared
        assert payee.account_no is not None
        return Payment(payee.bank_code, payee.account_no, payee.payee_name)
    reason = REASONS.get(rejected.reason_code or "")
    if reason is None or not reason.same_payee:
        raise refuse.correction_required(rejected.reason_text or rejected.reason_code or "未知")
    if payee is not None and (not payee.active or payee.account_status in ("frozen", "closed")):
        raise refuse.payee_not_payable(payee.account_status, payee.active)
    return Payment(instruction.bank_code, instruction.account_no, instruction.name)


def _rejected(latest: Attempt) -> Attempt:
    if latest.status == "pending":
        raise refuse.instruction_open()
    if latest.status == "unknown":
        raise refuse.outcome_unknown()
    return latest


def _check_request(request: ReissueRequested | None, order: ReissueRow, target: Payment) -> None:
    if request is None:
        raise refuse.reissue_request_required()
    if request.requested_by == order.ordered_by:
        raise refuse.reissue_same_person()
    if _asked(request) != target:
        raise refuse.reissue_request_stale()


def _asked(request: ReissueRequested) -> Payment:
    return Payment(request.bank_code, request.account_no, request.name)


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
