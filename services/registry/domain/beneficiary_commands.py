"""What a clerk may ask of the register about a beneficiary, after registration: the
commands the deciders in ``beneficiary_account`` and ``beneficiary_lifecycle`` answer. The
clock (``today``, ``verified_at``) and the acting user come in with the command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from contracts.pii import CardAccountNo, PhoneNo
from services.registry.domain.beneficiary import RegisterBeneficiary


@dataclass(frozen=True, slots=True)
class CorrectDetails:
    """Correct what is given (None: unchanged; ``remove_phone`` drops the phone)."""

    beneficiary_id: str
    reason: str
    name: str | None = None
    village_code: str | None = None
    household_id: str | None = None
    phone: PhoneNo | None = None
    remove_phone: bool = False


@dataclass(frozen=True, slots=True)
class ReverifyBeneficiary:
    """The annual check of ``year``, done ``today``."""

    beneficiary_id: str
    year: int
    today: date


@dataclass(frozen=True, slots=True)
class RecordDeath:
    beneficiary_id: str
    died_on: date
    source: str
    today: date


@dataclass(frozen=True, slots=True)
class RecordMoveOut:
    beneficiary_id: str
    moved_on: date
    destination_code: str
    """The division moved to: a 6-digit county, 9-digit township or 12-digit village code."""
    today: date


@dataclass(frozen=True, slots=True)
class DeclareCardAccount:
    """The first card account of the beneficiary, as the person declared it."""

    beneficiary_id: str
    bank_code: str
    account_no: CardAccountNo
    holder_name: str


@dataclass(frozen=True, slots=True)
class ApplyCardAccountChange:
    """A re-application (重新申报) for a new account; ``applied_by`` is the clerk's user id."""

    beneficiary_id: str
    application_id: str
    bank_code: str
    account_no: CardAccountNo
    holder_name: str
    reason: str
    applied_by: str


@dataclass(frozen=True, slots=True)
class ReviewCardAccountChange:
    """Approve or reject (with a reason) a pending re-application."""

    beneficiary_id: str
    application_id: str
    approve: bool
    reviewed_by: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class VerifyCardAccount:
    beneficiary_id: str
    verified_at: datetime


@dataclass(frozen=True, slots=True)
class FreezeCardAccount:
    beneficiary_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class UnfreezeCardAccount:
    beneficiary_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CloseCardAccount:
    beneficiary_id: str
    reason: str
    """One of ``CLOSE_REASONS``."""
    note: str | None = None


BeneficiaryCommand = (
    RegisterBeneficiary
    | CorrectDetails
    | ReverifyBeneficiary
    | RecordDeath
    | RecordMoveOut
    | DeclareCardAccount
    | ApplyCardAccountChange
    | ReviewCardAccountChange
    | VerifyCardAccount
    | FreezeCardAccount
    | UnfreezeCardAccount
    | CloseCardAccount
)
