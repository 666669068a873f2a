"""The card account (一卡通账户) of a beneficiary: declared once, changed only through a
re-application reviewed by someone else (003 §5(4)), verified, frozen, closed.

Each ``decide_*`` is pure: state and command in, events out; [] when the command is already
done (a retry), ``Refused`` when the rules do not allow it.
"""

from __future__ import annotations

from typing import Final

from contracts.events import (
    CardAccountClosed,
    CardAccountDeclared,
    CardAccountFrozen,
    CardAccountUnfrozen,
    CardAccountVerified,
)
from contracts.pii import CardAccountNo
from services.registry.domain import beneficiary_refusals as refuse
from services.registry.domain.beneficiary import Beneficiary, CardAccount, living
from services.registry.domain.beneficiary_commands import (
    ApplyCardAccountChange,
    CloseCardAccount,
    DeclareCardAccount,
    FreezeCardAccount,
    ReviewCardAccountChange,
    UnfreezeCardAccount,
    VerifyCardAccount,
)
from services.registry.domain.beneficiary_events import (
    CardAccountChangeApplied,
    CardAccountChangeApproved,
    CardAccountChangeRejected,
)
from services.registry.domain.validation_fields import luhn_ok

CLOSE_REASONS: Final = {
    "duplicate_card": "一户多卡",
    "bank_closed": "银行已销户",
    "holder_request": "本人申请销户",
    "other": "其他（须在说明中写明）",
}
"""Why a clerk may close an account; ``deceased`` and ``moved_out`` close it with the
death or the move itself."""


def decide_declaration(
    command: DeclareCardAccount, state: Beneficiary | None
) -> list[CardAccountDeclared]:
    """Only the first account is declared so; the same declaration again is done."""
    person = living(state)
    declared = CardAccountDeclared(
        beneficiary_id=person.beneficiary_id,
        bank_code=command.bank_code,
        account_no=command.account_no,
        holder_name=command.holder_name,
    )
    if person.account is not None:
        if _same(person.account, declared, ("bank_code", "account_no", "holder_name")):
            return []
        raise refuse.account_already_declared()
    _check_number(command.account_no)
    return [declared]


def decide_application(
    command: ApplyCardAccountChange, state: Beneficiary | None
) -> list[CardAccountChangeApplied]:
    """One application at a time; its id is its idempotency: the same one again is done."""
    person = living(state)
    applied = CardAccountChangeApplied(
        beneficiary_id=person.beneficiary_id,
        application_id=command.application_id,
        bank_code=command.bank_code,
        account_no=command.account_no,
        holder_name=command.holder_name,
        reason=_required(command.reason),
        applied_by=command.applied_by,
    )
    pending = person.pending
    if pending is not None:
        if pending.application_id != command.application_id:
            raise refuse.change_pending(pending.application_id)
        if _same(pending, applied, ("bank_code", "account_no", "holder_name", "reason")):
            return []
        raise refuse.application_id_in_use(command.application_id)
    if person.review_of(command.application_id) is not None:
        raise refuse.application_id_in_use(command.application_id)
    account = _declared(person)
    _check_number(command.account_no)
    if account.status != "closed" and (account.bank_code, account.account_no) == (
        command.bank_code,
        command.account_no,
    ):
        raise refuse.account_unchanged()
    return [applied]


def decide_review(
    command: ReviewCardAccountChange, state: Beneficiary | None
) -> list[CardAccountChangeApproved | CardAccountDeclared | CardAccountChangeRejected]:
    """Four eyes: the reviewer is not the applicant. Approval declares the new account."""
    person = living(state)
    earlier = person.review_of(command.application_id)
    if earlier is not None:
        if earlier == command.approve:
            return []
        raise refuse.already_reviewed(command.application_id, earlier)
    pending = person.pending
    if pending is None or pending.application_id != command.application_id:
        raise refuse.application_not_found(command.application_id)
    if command.reviewed_by == pending.applied_by:
        raise refuse.reviewer_is_applicant()
    who, application_id = person.beneficiary_id, pending.application_id
    if not command.approve:
        reason = _required(command.reason or "")
        return [
            CardAccountChangeRejected(
                beneficiary_id=who, application_id=application_id, reason=reason
            )
        ]
    return [
        CardAccountChangeApproved(beneficiary_id=who, application_id=application_id),
        CardAccountDeclared(
            beneficiary_id=who,
            bank_code=pending.bank_code,
            account_no=pending.account_no,
            holder_name=pending.holder_name,
        ),
    ]


def decide_verification(
    command: VerifyCardAccount, state: Beneficiary | None
) -> list[CardAccountVerified]:
    account = _declared(living(state))
    if account.status == "open":
        return []
    _not_closed(account)
    if account.status == "frozen":
        raise refuse.account_frozen()
    return [
        CardAccountVerified(beneficiary_id=command.beneficiary_id, verified_at=command.verified_at)
    ]


def decide_freeze(command: FreezeCardAccount, state: Beneficiary | None) -> list[CardAccountFrozen]:
    account = _declared(living(state))
    reason = _required(command.reason)
    if account.status == "frozen":
        return []
    _not_closed(account)
    return [CardAccountFrozen(beneficiary_id=command.beneficiary_id, reason=reason)]


def decide_unfreeze(
    command: UnfreezeCardAccount, state: Beneficiary | None
) -> list[CardAccountUnfrozen]:
    """Back to what it was: ``open`` if it had been verified, else ``unverified``."""
    account = _declared(living(state))
    reason = _required(command.reason)
    _not_closed(account)
    if account.status != "frozen":
        return []
    status = "open" if account.verified_at is not None else "unverified"
    return [
        CardAccountUnfrozen(beneficiary_id=command.beneficiary_id, status=status, reason=reason)
    ]


def decide_closure(command: CloseCardAccount, state: Beneficiary | None) -> list[CardAccountClosed]:
    account = _declared(living(state))
    if command.reason not in CLOSE_REASONS:
        raise refuse.invalid_close_reason("、".join(CLOSE_REASONS))
    note = (command.note or "").strip() or None
    if command.reason == "other" and note is None:
        raise refuse.reason_required()
    if account.status == "closed":
        return []
    return [
        CardAccountClosed(beneficiary_id=command.beneficiary_id, reason=command.reason, note=note)
    ]


def closing(person: Beneficiary, reason: str) -> list[CardAccountClosed]:
    """The closure that goes with a death or a move (001 art.7), when there is an account
    still to close."""
    if person.account is None or person.account.status == "closed":
        return []
    return [CardAccountClosed(beneficiary_id=person.beneficiary_id, reason=reason)]


def _declared(person: Beneficiary) -> CardAccount:
    if person.account is None:
        raise refuse.account_not_declared()
    return person.account


def _not_closed(account: CardAccount) -> None:
    if account.status == "closed":
        raise refuse.account_closed()


def _required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise refuse.reason_required()
    return reason


def _same(held: object, new: object, fields: tuple[str, ...]) -> bool:
    return all(getattr(held, name) == getattr(new, name) for name in fields)


def _check_number(account_no: CardAccountNo) -> None:
    """12 to 25 digits, as validation checks roster rows; a bank card number (16 to 19
    digits) must pass Luhn."""
    digits = account_no.reveal()
    if not 12 <= len(digits) <= 25:
        raise refuse.invalid_account(f"应为12至25位数字，现为{len(digits)}位")
    if 16 <= len(digits) <= 19 and not luhn_ok(digits):
        raise refuse.invalid_account("银行卡号校验位不符（Luhn 校验），可能抄错")
