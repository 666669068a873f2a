"""Why an agent bank rejects an instruction, and what follows from it (002 §3(4), §3(5)).

Transient rejections (the bank's system, the clearing channel, funds not yet arrived) are
retried automatically. Permanent ones wait for the owning department or township: a closed,
unknown or invalid account or a name that does not match needs the payee corrected through the
registry's review; a frozen account may be paid again into the same account once unfrozen, on
a person's order. None is ever retried blindly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class RejectionReason:
    code: str
    text: str
    retryable: bool
    """Transient: the next attempt is issued automatically."""
    same_payee: bool
    """A person may re-issue into the same account once the cause is cleared."""


REASONS: Final = {
    reason.code: reason
    for reason in (
        RejectionReason("account_closed", "账户已销户", retryable=False, same_payee=False),
        RejectionReason("account_not_found", "账户不存在", retryable=False, same_payee=False),
        RejectionReason("invalid_account", "账号无效", retryable=False, same_payee=False),
        RejectionReason("name_mismatch", "户名与账户不符", retryable=False, same_payee=False),
        RejectionReason("account_frozen", "账户已冻结", retryable=False, same_payee=True),
        RejectionReason("bank_system_busy", "银行系统繁忙", retryable=True, same_payee=True),
        RejectionReason("channel_error", "清算通道异常", retryable=True, same_payee=True),
        RejectionReason("funds_not_arrived", "代发资金未到账", retryable=True, same_payee=True),
    )
}
"""The reason codes an agent bank may answer with (the bank's own codes map onto these)."""
