"""The beneficiary (补贴对象) as a decider: pure rules from command and state to events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.events import BeneficiaryRegistered
from contracts.pii import CitizenId, PhoneNo
from services.registry.domain import citizen_id, refusals


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
class Beneficiary:
    beneficiary_id: str
    citizen_id: CitizenId
    village_code: str


def evolve(state: Beneficiary | None, event: object) -> Beneficiary | None:
    if isinstance(event, BeneficiaryRegistered):
        return Beneficiary(event.beneficiary_id, event.citizen_id, event.village_code)
    return state


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
    if len(command.village_code) != 12 or not command.village_code.isdigit():
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
