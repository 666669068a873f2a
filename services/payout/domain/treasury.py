"""Year-end: rows still unpaid are returned to the treasury (退回国库, 001 art.10(11): what
could not be corrected within the year).

A row is returned only when its last instruction was definitely rejected and none is open: a
row whose answer is still awaited or unknown may have been paid, so it is held back and
queried, never returned blindly; a row under review waits for its review. The return may be
made from ``YEAR_END`` of the year the round opened in (China's calendar).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from contracts.events import ReturnedToTreasury
from services.payout.domain.row import RowPayment

YEAR_END: Final = (12, 1)
"""Month and day from which a round's unpaid rows may be returned, in the year it opened."""


def year_end_of(year: int) -> date:
    return date(year, *YEAR_END)


def decide_return(row: RowPayment) -> list[ReturnedToTreasury]:
    """The row's return, or [] when it is paid, returned already, or must be held back."""
    if row.status != "failed":
        return []
    latest = row.latest
    first = row.first
    return [
        ReturnedToTreasury(
            roster_id=first.roster_id,
            row_no=first.row_no,
            round_id=first.round_id,
            beneficiary_id=first.beneficiary_id,
            township_code=first.township_code,
            programme_code=first.programme_code,
            amount_fen=first.amount_fen,
            last_instruction_id=latest.instruction_id,
            reason_code=latest.reason_code or "unknown",
            reason_text=latest.reason_text or "未记录原因",
        )
    ]
