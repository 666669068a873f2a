"""Whom a re-issue pays: the beneficiary as the registry now holds them (name, one-card account
and its status), learned from the registry's events.

A payment fails for reasons only the owner of the data can clear (002 §3(4): the department
"核实修改相关补贴对象信息, 并进行再次补发"): a closed or unknown account needs a new one
declared through the registry's reviewed re-application (``CardAccountDeclared``), a name
mismatch a corrected name. The payout never edits a payee (003 §3(1): finance never edits
data); it pays the payee the registry declared, and records in each instruction exactly what it
paid to.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from contracts.events import (
    BeneficiaryDeceased,
    BeneficiaryDetailsCorrected,
    BeneficiaryMovedOut,
    BeneficiaryRegistered,
    CardAccountClosed,
    CardAccountDeclared,
    CardAccountFrozen,
    CardAccountUnfrozen,
    CardAccountVerified,
    PaymentInstructed,
)
from contracts.pii import CardAccountNo

AccountStatus = Literal["none", "unverified", "open", "frozen", "closed"]
PAYEE_EVENTS = (
    BeneficiaryRegistered,
    BeneficiaryDetailsCorrected,
    CardAccountDeclared,
    CardAccountVerified,
    CardAccountFrozen,
    CardAccountUnfrozen,
    CardAccountClosed,
    BeneficiaryDeceased,
    BeneficiaryMovedOut,
)
"""The registry's events a payee is folded from."""


@dataclass(frozen=True, slots=True)
class Payee:
    beneficiary_id: str
    name: str
    bank_code: str | None = None
    account_no: CardAccountNo | None = None
    holder_name: str | None = None
    account_status: AccountStatus = "none"
    active: bool = True
    """False once the beneficiary died or moved out: nothing more is paid to them."""

    @property
    def payable(self) -> bool:
        return self.active and self.account_status in ("open", "unverified")

    def pays_differently_from(self, instruction: PaymentInstructed) -> bool:
        """Whether paying this payee differs from what ``instruction`` paid: another account
        (bank or number) or another holder's name."""
        if self.bank_code is None or self.account_no is None:
            return False
        return (
            self.bank_code != instruction.bank_code
            or self.account_no != instruction.account_no
            or self.payee_name != instruction.name
        )

    @property
    def payee_name(self) -> str:
        return self.holder_name or self.name


def evolve_payee(payee: Payee | None, event: object) -> Payee | None:
    """The payee after one of the registry's events about them."""
    if isinstance(event, BeneficiaryRegistered):
        return Payee(event.beneficiary_id, event.name)
    if payee is None:
        return None  # an account event before the registration: the registration replays it
    if isinstance(event, BeneficiaryDetailsCorrected):
        return replace(payee, name=event.name)
    if isinstance(event, CardAccountDeclared):
        return replace(
            payee,
            bank_code=event.bank_code,
            account_no=event.account_no,
            holder_name=event.holder_name,
            account_status="unverified",
        )
    if isinstance(event, CardAccountVerified) and payee.account_status == "unverified":
        return replace(payee, account_status="open")
    if isinstance(event, CardAccountFrozen):
        return replace(payee, account_status="frozen")
    if isinstance(event, CardAccountUnfrozen):
        return replace(payee, account_status=event.status)
    if isinstance(event, CardAccountClosed):
        return replace(payee, account_status="closed")
    if isinstance(event, BeneficiaryDeceased | BeneficiaryMovedOut):
        return replace(payee, active=False)
    return payee
