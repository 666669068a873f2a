"""Failure notices on the responsible office's work queue (002 §3(4): a failed payment goes back
to the owning department and township to be corrected and paid again).

Per roster row there is at most one notice of each kind: ``failed`` (the bank rejected the
row's payment, or a success was reversed on review) and ``review`` (a bank answer contradicted
the row's record). A notice is ``open`` until the row is paid or returned to the treasury
(``closed``); while the bank works on the next attempt (an automatic retry or a person's
re-issue) a failure notice ``awaits_bank``, and a later failure opens it again. A review notice
also closes when a person resolves the review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from contracts.events import (
    PaymentFailed,
    PaymentFlaggedForReview,
    PaymentInstructed,
    PaymentReversed,
    PaymentReviewResolved,
    PaymentSucceeded,
    ReturnedToTreasury,
)

Kind = Literal["failed", "review"]
ClosedBecause = Literal["paid", "returned", "reviewed"]
WORK_EVENTS: Final = (
    PaymentFailed,
    PaymentReversed,
    PaymentFlaggedForReview,
    PaymentReviewResolved,
    PaymentInstructed,
    PaymentSucceeded,
    ReturnedToTreasury,
)

REASONS: Final = {
    "account_closed": "账户已销户",
    "account_not_found": "账户不存在",
    "invalid_account": "账号无效",
    "name_mismatch": "户名与账户不符",
    "account_frozen": "账户已冻结",
    "bank_system_busy": "银行系统繁忙",
    "channel_error": "清算通道异常",
    "funds_not_arrived": "代发资金未到账",
}
"""The agreed rejection codes in Chinese (the bank's own text is shown for any other)."""

CONCERNS: Final = {
    "success_after_failure": "银行先报失败后又报成功，需人工核实",
    "failure_after_success": "银行先报成功后又报失败，需人工核实",
    "success_after_return": "资金已退回国库后银行又报成功，需人工核实",
    "second_success": "同一行已由其他指令发放成功，银行又报成功，需人工核实",
    "conflicting_success": "银行对同一指令报了不同的流水号，需人工核实",
}


@dataclass(frozen=True, slots=True)
class OpenNotice:
    roster_id: str
    row_no: int
    kind: Kind
    instruction_id: str
    township_code: str
    amount_fen: int
    reason_code: str
    reason: str
    """In Chinese, for the clerk."""
    programme_code: str | None = None
    beneficiary_id: str | None = None
    attempt: int | None = None


@dataclass(frozen=True, slots=True)
class AwaitBank:
    roster_id: str
    row_no: int


@dataclass(frozen=True, slots=True)
class CloseNotices:
    roster_id: str
    row_no: int
    because: ClosedBecause
    kinds: tuple[Kind, ...] = ("failed", "review")


Change = OpenNotice | AwaitBank | CloseNotices


def work_change(event: object) -> Change | None:
    """What one payout event changes on the work queue (None: nothing)."""
    if isinstance(event, PaymentFailed | PaymentReversed):
        return OpenNotice(
            event.roster_id,
            event.row_no,
            "failed",
            event.instruction_id,
            event.township_code,
            event.amount_fen,
            event.reason_code,
            reason_in_chinese(event.reason_code, event.reason_text),
            event.programme_code,
            event.beneficiary_id,
            event.attempt,
        )
    if isinstance(event, PaymentFlaggedForReview):
        concern = CONCERNS.get(event.concern, event.concern)
        return OpenNotice(
            event.roster_id,
            event.row_no,
            "review",
            event.instruction_id,
            event.township_code,
            event.amount_fen,
            event.concern,
            concern,
        )
    if isinstance(event, PaymentInstructed) and event.because != "approved":
        return AwaitBank(event.roster_id, event.row_no)
    if isinstance(event, PaymentSucceeded):
        return CloseNotices(event.roster_id, event.row_no, "paid")
    if isinstance(event, ReturnedToTreasury):
        return CloseNotices(event.roster_id, event.row_no, "returned")
    if isinstance(event, PaymentReviewResolved):
        return CloseNotices(event.roster_id, event.row_no, "reviewed", ("review",))
    return None


def reason_in_chinese(code: str, bank_text: str) -> str:
    """The agreed code's Chinese name, with the bank's own words when they add something."""
    known = REASONS.get(code)
    if known is None:
        return bank_text
    return known if bank_text in (known, code) else f"{known}（银行说明：{bank_text}）"
