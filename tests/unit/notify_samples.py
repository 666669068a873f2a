"""Builders for the notify tests: the registry's beneficiary events and the payout's answers
for one township, and the officials who read the work queue."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.events import (
    BeneficiaryDeceased,
    BeneficiaryDetailsCorrected,
    BeneficiaryRegistered,
    PaymentFailed,
    PaymentFlaggedForReview,
    PaymentInstructed,
    PaymentSucceeded,
    ReturnedToTreasury,
)

TOWNSHIP = "650102001"
PROGRAMME = "耕地地力保护补贴"
PAID_AT = datetime(2025, 10, 9, 2, tzinfo=UTC)  # 10:00 in China
PHONES = {f"b-{n}": f"1380013{n:04d}" for n in range(1, 10)}
OFFICERS = {
    "operator": ("u-op", "township_operator", TOWNSHIP),
    "department": ("u-dept", "county_department_operator", "650102"),
    "far_operator": ("u-far", "township_operator", "650103001"),
    "bank": ("u-bank-abc", "bank_connector", "650102"),
    "auditor": ("u-audit", "auditor", "650102"),
}
"""Posts by nickname: (user id, role, jurisdiction)."""


def headers(who: str) -> dict[str, str]:
    user, role, jurisdiction = OFFICERS[who]
    return {
        "X-Onecard-User": user,
        "X-Onecard-Role": role,
        "X-Onecard-Jurisdiction": jurisdiction,
    }


def registered(beneficiary_id: str, phone: str | None = None) -> BeneficiaryRegistered:
    return BeneficiaryRegistered(
        beneficiary_id=beneficiary_id,
        citizen_id="65010219800101123X",
        name="阿依古丽",
        village_code="650102001001",
        household_id=f"h-{beneficiary_id}",
        phone=phone,
    )


def corrected(beneficiary_id: str, phone: str | None) -> BeneficiaryDetailsCorrected:
    return BeneficiaryDetailsCorrected(
        beneficiary_id=beneficiary_id,
        name="阿依古丽",
        village_code="650102001001",
        household_id=f"h-{beneficiary_id}",
        phone=phone,
        corrected=("phone",),
        reason="本人申请更换手机号",
    )


def deceased(beneficiary_id: str) -> BeneficiaryDeceased:
    return BeneficiaryDeceased(
        beneficiary_id=beneficiary_id, died_on=date(2025, 10, 1), source="民政部门"
    )


def paid(
    row_no: int,
    *,
    roster_id: str = "r-1",
    attempt: int = 1,
    beneficiary_id: str | None = None,
    amount_fen: int = 61_725,
    township_code: str = TOWNSHIP,
    value_date: date | None = date(2025, 10, 9),
) -> PaymentSucceeded:
    return PaymentSucceeded(
        instruction_id=f"{roster_id}:{row_no}:{attempt}",
        roster_id=roster_id,
        row_no=row_no,
        attempt=attempt,
        beneficiary_id=beneficiary_id or f"b-{row_no}",
        township_code=township_code,
        programme_code="GDLS",
        programme_name=PROGRAMME,
        bank_code="ABC",
        amount_fen=amount_fen,
        bank_reference=f"B-{roster_id}-{row_no}",
        value_date=value_date,
    )


def failed(
    row_no: int,
    *,
    reason: str = "account_closed",
    text: str = "账户已销户",
    attempt: int = 1,
    retryable: bool = False,
    township_code: str = TOWNSHIP,
) -> PaymentFailed:
    return PaymentFailed(
        instruction_id=f"r-1:{row_no}:{attempt}",
        roster_id="r-1",
        row_no=row_no,
        attempt=attempt,
        beneficiary_id=f"b-{row_no}",
        township_code=township_code,
        programme_code="GDLS",
        bank_code="ABC",
        amount_fen=61_725,
        reason_code=reason,
        reason_text=text,
        retryable=retryable,
    )


def instructed(row_no: int, *, attempt: int, because: str) -> PaymentInstructed:
    return PaymentInstructed.model_validate(
        {
            "instruction_id": f"r-1:{row_no}:{attempt}",
            "roster_id": "r-1",
            "row_no": row_no,
            "attempt": attempt,
            "batch_id": "pb-1",
            "round_id": "2025-1",
            "programme_code": "GDLS",
            "programme_name": PROGRAMME,
            "township_code": TOWNSHIP,
            "village_code": "650102001001",
            "beneficiary_id": f"b-{row_no}",
            "name": "阿依古丽",
            "bank_code": "ABC",
            "account_no": "6217000012345678901",
            "amount_fen": 61_725,
            "because": because,
            "reissue_of": None if attempt == 1 else f"r-1:{row_no}:{attempt - 1}",
        }
    )


def flagged(row_no: int) -> PaymentFlaggedForReview:
    return PaymentFlaggedForReview(
        instruction_id=f"r-1:{row_no}:1",
        roster_id="r-1",
        row_no=row_no,
        township_code=TOWNSHIP,
        bank_code="ABC",
        amount_fen=61_725,
        concern="failure_after_success",
        reported="rejected",
        reason_code="account_closed",
    )


def returned(row_no: int) -> ReturnedToTreasury:
    return ReturnedToTreasury(
        roster_id="r-1",
        row_no=row_no,
        round_id="2025-1",
        beneficiary_id=f"b-{row_no}",
        township_code=TOWNSHIP,
        programme_code="GDLS",
        amount_fen=61_725,
        last_instruction_id=f"r-1:{row_no}:1",
        reason_code="account_closed",
        reason_text="账户已销户",
    )
