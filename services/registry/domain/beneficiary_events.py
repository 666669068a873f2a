"""The beneficiary's private events: the card-account re-application under review, and the
annual re-verification. Only the register reads them; what other services rely on (the
account, its status, the person's details, death, moving out) is in
``contracts/events/registry.py``. Stream: ``beneficiary-<beneficiary_id>``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Final

from pydantic import Field

from contracts.base import Event
from contracts.fields import Code, Id, Text
from contracts.pii import CardAccountNo


class CardAccountChangeApplied(Event):
    """The beneficiary applied again (重新申报) for a new card account. It replaces the
    current one only once approved, by someone other than ``applied_by``: the applicant's
    user id is kept in the event because the four-eyes rule is decided from state alone."""

    event_type = "CardAccountChangeApplied"
    schema_version = 1

    beneficiary_id: Id
    application_id: Id
    bank_code: Code
    account_no: CardAccountNo
    holder_name: Text
    reason: Text
    applied_by: Id


class CardAccountChangeApproved(Event):
    """A reviewer approved the application; the ``CardAccountDeclared`` that follows in the
    same append is the new account."""

    event_type = "CardAccountChangeApproved"
    schema_version = 1

    beneficiary_id: Id
    application_id: Id


class CardAccountChangeRejected(Event):
    """A reviewer rejected the application, saying why; the current account stays."""

    event_type = "CardAccountChangeRejected"
    schema_version = 1

    beneficiary_id: Id
    application_id: Id
    reason: Text


class BeneficiaryReverified(Event):
    """The annual check (一年一核对, 001 art.7) of the beneficiary for ``year`` was done."""

    event_type = "BeneficiaryReverified"
    schema_version = 1

    beneficiary_id: Id
    year: Annotated[int, Field(strict=True, ge=2000, le=2200)]
    verified_on: date


BENEFICIARY_EVENTS: Final[tuple[type[Event], ...]] = (
    CardAccountChangeApplied,
    CardAccountChangeApproved,
    CardAccountChangeRejected,
    BeneficiaryReverified,
)
"""To be included in ``REGISTRY_EVENTS``."""
