"""The person's side of the beneficiary's life in the register: details corrected with a
reason, the annual re-verification, death and moving out (each closing the card account in
the same decision, 001 art.7). After death or moving out the beneficiary is only read.

``decide`` is the one entry for every beneficiary command.
"""

from __future__ import annotations

from datetime import date

from contracts.base import Event
from contracts.events import (
    BeneficiaryDeceased,
    BeneficiaryDetailsCorrected,
    BeneficiaryMovedOut,
    CardAccountClosed,
)
from contracts.events.registry import DetailField
from services.registry.domain import beneficiary_account as account
from services.registry.domain import beneficiary_refusals as refuse
from services.registry.domain import refusals
from services.registry.domain.beneficiary import (
    Beneficiary,
    RegisterBeneficiary,
    decide_registration,
    is_village_code,
    living,
)
from services.registry.domain.beneficiary_commands import (
    ApplyCardAccountChange,
    BeneficiaryCommand,
    CloseCardAccount,
    CorrectDetails,
    DeclareCardAccount,
    FreezeCardAccount,
    RecordDeath,
    RecordMoveOut,
    ReverifyBeneficiary,
    ReviewCardAccountChange,
    UnfreezeCardAccount,
    VerifyCardAccount,
)
from services.registry.domain.beneficiary_events import BeneficiaryReverified


def decide(command: BeneficiaryCommand, state: Beneficiary | None) -> list[Event]:
    """The events ``command`` makes of the beneficiary ``state``: [] when already done."""
    match command:
        case RegisterBeneficiary():
            return [*decide_registration(command, state)]
        case CorrectDetails():
            return [*decide_correction(command, state)]
        case ReverifyBeneficiary():
            return [*decide_reverification(command, state)]
        case RecordDeath():
            return decide_death(command, state)
        case RecordMoveOut():
            return decide_move_out(command, state)
    return _decide_account(command, state)


def _decide_account(command: BeneficiaryCommand, state: Beneficiary | None) -> list[Event]:
    match command:
        case DeclareCardAccount():
            return [*account.decide_declaration(command, state)]
        case ApplyCardAccountChange():
            return [*account.decide_application(command, state)]
        case ReviewCardAccountChange():
            return [*account.decide_review(command, state)]
        case VerifyCardAccount():
            return [*account.decide_verification(command, state)]
        case FreezeCardAccount():
            return [*account.decide_freeze(command, state)]
        case UnfreezeCardAccount():
            return [*account.decide_unfreeze(command, state)]
        case CloseCardAccount():
            return [*account.decide_closure(command, state)]
    raise TypeError(f"not a beneficiary command: {type(command).__name__}")


def decide_correction(
    command: CorrectDetails, state: Beneficiary | None
) -> list[BeneficiaryDetailsCorrected]:
    """Only what differs is corrected; nothing different is already done."""
    person = living(state)
    reason = command.reason.strip()
    if not reason:
        raise refuse.reason_required()
    name = person.name if command.name is None else command.name.strip()
    if not name:
        raise refuse.invalid_name()
    village = command.village_code or person.village_code
    if not is_village_code(village):
        raise refusals.invalid_village()
    household = command.household_id or person.household_id
    phone = None if command.remove_phone else command.phone or person.phone
    after: dict[DetailField, object] = {
        "name": name,
        "village_code": village,
        "household_id": household,
        "phone": phone,
    }
    before: dict[DetailField, object] = {
        "name": person.name,
        "village_code": person.village_code,
        "household_id": person.household_id,
        "phone": person.phone,
    }
    corrected = tuple(field for field, value in after.items() if value != before[field])
    if not corrected:
        return []
    return [
        BeneficiaryDetailsCorrected(
            beneficiary_id=person.beneficiary_id,
            name=name,
            village_code=village,
            household_id=household,
            phone=phone,
            corrected=corrected,
            reason=reason,
        )
    ]


def decide_reverification(
    command: ReverifyBeneficiary, state: Beneficiary | None
) -> list[BeneficiaryReverified]:
    """Once a year; the same check again on the same day is a retry."""
    person = living(state)
    if not 2000 <= command.year <= command.today.year:
        raise refuse.invalid_year(command.year)
    done = next((on for year, on in person.reverified if year == command.year), None)
    if done == command.today:
        return []
    if done is not None:
        raise refuse.already_reverified(command.year, done.isoformat())
    return [
        BeneficiaryReverified(
            beneficiary_id=person.beneficiary_id, year=command.year, verified_on=command.today
        )
    ]


def decide_death(command: RecordDeath, state: Beneficiary | None) -> list[Event]:
    """The death, and the closure of the card account with it."""
    if _already_left(state, "deceased", command.died_on, command.source.strip()):
        return []
    person = living(state)
    source = command.source.strip()
    if not source:
        raise refuse.source_required()
    _check_day(person, command.died_on, command.today, "死亡日期")
    died = BeneficiaryDeceased(
        beneficiary_id=person.beneficiary_id, died_on=command.died_on, source=source
    )
    closed: list[CardAccountClosed] = account.closing(person, "deceased")
    return [died, *closed]


def decide_move_out(command: RecordMoveOut, state: Beneficiary | None) -> list[Event]:
    """The move out of the register, and the closure of the card account with it."""
    destination = command.destination_code
    if _already_left(state, "moved_out", command.moved_on, destination):
        return []
    person = living(state)
    if (
        len(destination) not in (6, 9, 12)
        or not destination.isdigit()
        or destination == person.village_code
    ):
        raise refuse.invalid_destination()
    _check_day(person, command.moved_on, command.today, "迁出日期")
    moved = BeneficiaryMovedOut(
        beneficiary_id=person.beneficiary_id,
        moved_on=command.moved_on,
        destination_code=destination,
    )
    closed: list[CardAccountClosed] = account.closing(person, "moved_out")
    return [moved, *closed]


def _already_left(state: Beneficiary | None, status: str, on: date, detail: str) -> bool:
    """The same death or move recorded again (a retry)."""
    return state is not None and (state.status, state.left_on, state.left_detail) == (
        status,
        on,
        detail,
    )


def _check_day(person: Beneficiary, day: date, today: date, what: str) -> None:
    born = person.birth_date
    if day > today or (born is not None and day < born):
        raise refuse.invalid_date(what)
