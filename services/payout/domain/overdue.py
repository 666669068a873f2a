"""An instruction the agent bank has not answered in time (002 §3(5): it credits the card
account "在 3个工作日内" and reports back "发放后 2日 内"): its outcome is unknown, not failed.

It may have been paid, so it is never re-issued blindly: the instruction is marked
``PaymentOutcomeUnknown`` and handed to the bank again flagged ``query`` under the same id, on
which the bank pays at most once; a definite answer settles it then.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from contracts.events import PaymentOutcomeUnknown
from contracts.working_days import WorkingCalendar
from services.payout.domain.row import RowPayment

CREDIT_WORKING_DAYS: Final = 3
REPORT_WORKING_DAYS: Final = 2
"""Counted in working days: the rule's "2日" read on the side that never calls a bank late
over a weekend."""
OVERDUE_DETAIL: Final = "代发机构逾期未反馈发放结果（3个工作日内拨付、2日内反馈），待查询"


def answer_due(instructed_on: date, calendar: WorkingCalendar) -> date:
    """The last day (China) the bank's answer to an instruction issued on ``instructed_on`` is
    due. ``ScheduleUnknown`` when a year involved has no working-day schedule yet."""
    return calendar.add_working_days(instructed_on, CREDIT_WORKING_DAYS + REPORT_WORKING_DAYS)


def decide_overdue(row: RowPayment, instruction_id: str) -> list[PaymentOutcomeUnknown]:
    """The instruction marked unknown, if it still awaits its first answer (anything else —
    answered meanwhile, another attempt, a row settled — is left alone)."""
    attempt = row.attempt(instruction_id)
    if attempt is None or attempt.status != "pending" or row.status in ("paid", "returned"):
        return []
    instruction = attempt.instruction
    return [
        PaymentOutcomeUnknown(
            instruction_id=instruction.instruction_id,
            roster_id=instruction.roster_id,
            row_no=instruction.row_no,
            attempt=instruction.attempt,
            township_code=instruction.township_code,
            bank_code=instruction.bank_code,
            amount_fen=instruction.amount_fen,
            detail=OVERDUE_DETAIL,
        )
    ]
