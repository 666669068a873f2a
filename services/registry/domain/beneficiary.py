"""The beneficiary (补贴对象) as a decider: pure rules from command and state to events.

This module holds the state every beneficiary command decides on, ``evolve``, and the
registration; the card account's commands are in ``beneficiary_account``, the person's
(corrections, re-verification, death, moving out) in ``beneficiary_lifecycle``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
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
)
from contracts.pii import CardAccountNo, CitizenId, PhoneNo
from services.registry.domain import beneficiary_refusals as refuse
from services.registry.domain import citizen_id, refusals
from services.registry.domain.beneficiary_events import (
    BeneficiaryReverified,
    CardAccountChangeApplied,
    CardAccountChangeApproved,
    CardAccountChangeRejected,
)

BeneficiaryStatus = Literal["active", "deceased", "moved_out"]
AccountStatus = Literal["open", "closed", "frozen", "unverified"]


@dataclass(frozen=True, slots=True)
class RegisterBeneficiary:
    """Enter a person in the register of a village (底册). ``today`` is the caller's clock."""

    beneficiary_id: str
    citizen_id: CitizenId
    name: str
    village_code: str
    household_id: str
    phone: PhoneNo | None
    today: date


@dataclass(frozen=True, slots=True)
class CardAccount:
    """The one card account (一卡通账户) of the beneficiary."""

    bank_code: str
    account_no: CardAccountNo
    holder_name: str
    status: AccountStatus = "unverified"
    verified_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccountChange:
    """A re-application for a new card account, waiting for its review."""

    application_id: str
    bank_code: str
    account_no: CardAccountNo
    holder_name: str
    reason: str
    applied_by: str


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """What the rules need to know of one person; gender and birth date are read from the
    citizen ID when asked (opening a sealed ID only then)."""

    beneficiary_id: str
    citizen_id: CitizenId
    village_code: str
    name: str = ""
    household_id: str = ""
    phone: PhoneNo | None = None
    status: BeneficiaryStatus = "active"
    account: CardAccount | None = None
    pending: AccountChange | None = None
    reviewed: tuple[tuple[str, bool], ...] = ()
    """Applications decided so far: (application id, approved)."""
    reverified: tuple[tuple[int, date], ...] = ()
    """Annual re-verifications: (year, day it was done)."""
    left_on: date | None = None
    """The day of death or of moving out."""
    left_detail: str | None = None
    """Who reported the death, or the division moved to."""

    @property
    def gender(self) -> Literal["male", "female"]:
        return citizen_id.gender(self.citizen_id.reveal())

    @property
    def birth_date(self) -> date | None:
        return citizen_id.birth_date(self.citizen_id.reveal())

    def review_of(self, application_id: str) -> bool | None:
        """True approved, False rejected, None not reviewed."""
        return next((ok for seen, ok in self.reviewed if seen == application_id), None)


def evolve(state: Beneficiary | None, event: object) -> Beneficiary | None:
    if isinstance(event, BeneficiaryRegistered):
        return Beneficiary(
            event.beneficiary_id,
            event.citizen_id,
            event.village_code,
            name=event.name,
            household_id=event.household_id,
            phone=event.phone,
        )
    if state is None:
        return None
    return _evolve_person(state, event) or _evolve_account(state, event) or state


def _evolve_person(state: Beneficiary, event: object) -> Beneficiary | None:
    if isinstance(event, BeneficiaryDetailsCorrected):
        return replace(
            state,
            name=event.name,
            village_code=event.village_code,
            household_id=event.household_id,
            phone=event.phone,
        )
    if isinstance(event, BeneficiaryReverified):
        return replace(state, reverified=(*state.reverified, (event.year, event.verified_on)))
    if isinstance(event, BeneficiaryDeceased):
        return replace(
            state, status="deceased", pending=None, left_on=event.died_on, left_detail=event.source
        )
    if isinstance(event, BeneficiaryMovedOut):
        return replace(
            state,
            status="moved_out",
            pending=None,
            left_on=event.moved_on,
            left_detail=event.destination_code,
        )
    return None


def _evolve_account(state: Beneficiary, event: object) -> Beneficiary | None:
    account = state.account
    if isinstance(event, CardAccountDeclared):
        new = CardAccount(event.bank_code, event.account_no, event.holder_name)
        return replace(state, account=new)
    if isinstance(event, CardAccountChangeApplied):
        change = AccountChange(
            event.application_id,
            event.bank_code,
            event.account_no,
            event.holder_name,
            event.reason,
            event.applied_by,
        )
        return replace(state, pending=change)
    if isinstance(event, CardAccountChangeApproved | CardAccountChangeRejected):
        approved = isinstance(event, CardAccountChangeApproved)
        reviewed = (*state.reviewed, (event.application_id, approved))
        return replace(state, pending=None, reviewed=reviewed)
    if account is None:
        return None
    if isinstance(event, CardAccountVerified):
        return replace(
            state, account=replace(account, status="open", verified_at=event.verified_at)
        )
    if isinstance(event, CardAccountFrozen):
        return replace(state, account=replace(account, status="frozen"))
    if isinstance(event, CardAccountUnfrozen):
        return replace(state, account=replace(account, status=event.status))
    if isinstance(event, CardAccountClosed):
        return replace(state, account=replace(account, status="closed"))
    return None


def decide_registration(
    command: RegisterBeneficiary, state: Beneficiary | None
) -> list[BeneficiaryRegistered]:
    """Register once; the same registration again is already done (no events)."""
    if state is not None:
        if state.citizen_id == command.citizen_id:
            return []
        raise refusals.beneficiary_exists()
    if not citizen_id.is_valid(command.citizen_id.reveal(), today=command.today):
        raise refusals.invalid_citizen_id()
    if not is_village_code(command.village_code):
        raise refusals.invalid_village()
    return [
        BeneficiaryRegistered(
            beneficiary_id=command.beneficiary_id,
            citizen_id=command.citizen_id,
            name=command.name,
            village_code=command.village_code,
            household_id=command.household_id,
            phone=command.phone,
        )
    ]


def living(state: Beneficiary | None) -> Beneficiary:
    """The beneficiary a change may be made to: registered, neither dead nor moved out."""
    if state is None:
        raise refuse.not_found()
    if state.status == "deceased":
        raise refuse.deceased()
    if state.status == "moved_out":
        raise refuse.moved_out()
    return state


def is_village_code(code: str) -> bool:
    return len(code) == 12 and code.isdigit()
