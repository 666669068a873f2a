"""Integration events published by the registry service (the beneficiary register, 底册).

Streams: ``beneficiary-<beneficiary_id>`` and ``roster-<roster_id>``. Personal data
(citizen ID, phone, card account) is typed as such and stored encrypted with a blind index
(see ``contracts.pii``).

A beneficiary's card account is ``unverified`` when declared, ``open`` once verified,
``frozen`` between a freeze and an unfreeze, and ``closed`` for good (a new account comes
only through a reviewed re-application, as a new ``CardAccountDeclared``). Payment needs an
``open`` account. After ``BeneficiaryDeceased`` or ``BeneficiaryMovedOut`` nothing more
happens to the beneficiary.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from contracts.base import Event
from contracts.fields import Code, Count, Fen, Id, Text
from contracts.pii import CardAccountNo, CitizenId, PhoneNo

DetailField = Literal["name", "village_code", "household_id", "phone"]


class BeneficiaryRegistered(Event):
    """A person entered the register of a village as a possible beneficiary.

    Guarantees: the citizen ID passed the GB 11643 checksum and no other beneficiary holds
    it; ``beneficiary_id`` is never reused. The person is not yet payable: payment also
    needs a declared card account (``CardAccountDeclared``).
    """

    event_type = "BeneficiaryRegistered"
    schema_version = 1

    beneficiary_id: Id
    citizen_id: CitizenId
    name: Text
    village_code: Code
    household_id: Id
    phone: PhoneNo | None = None


class CardAccountDeclared(Event):
    """A beneficiary's one-card account (社保卡金融账户) was declared or re-declared.

    Guarantees: it replaces any earlier account of the beneficiary (one person, one card);
    it comes from the person's own application (a change only through a reviewed
    re-application), never from an edit by finance. It is ``unverified`` until
    ``CardAccountVerified``.
    """

    event_type = "CardAccountDeclared"
    schema_version = 1

    beneficiary_id: Id
    bank_code: Code
    account_no: CardAccountNo
    holder_name: Text


class BeneficiaryDetailsCorrected(Event):
    """A clerk corrected a beneficiary's name, phone, village or household, giving a reason.

    Carries every correctable detail as it now stands (``phone`` None: no phone any more),
    so a reader needs no earlier event; ``corrected`` names those that changed. The citizen
    ID is never corrected: a wrong ID is a different person.
    """

    event_type = "BeneficiaryDetailsCorrected"
    schema_version = 1

    beneficiary_id: Id
    name: Text
    village_code: Code
    household_id: Id
    phone: PhoneNo | None = None
    corrected: Annotated[tuple[DetailField, ...], Field(min_length=1)]
    reason: Text


class CardAccountVerified(Event):
    """The beneficiary's current card account was checked against the bank: it exists and
    belongs to this person. It is ``open`` (payable) from here."""

    event_type = "CardAccountVerified"
    schema_version = 1

    beneficiary_id: Id
    verified_at: AwareDatetime


class CardAccountFrozen(Event):
    """The beneficiary's card account was frozen: nothing is paid into it until unfrozen."""

    event_type = "CardAccountFrozen"
    schema_version = 1

    beneficiary_id: Id
    reason: Text


class CardAccountUnfrozen(Event):
    """The card account was unfrozen; ``status`` is what it is again: ``open`` when it had
    been verified, ``unverified`` otherwise."""

    event_type = "CardAccountUnfrozen"
    schema_version = 1

    beneficiary_id: Id
    status: Literal["open", "unverified"]
    reason: Text


class CardAccountClosed(Event):
    """The beneficiary's card account was closed (销户) and is never paid into again.

    ``reason`` is a code: ``deceased``, ``moved_out`` (with the beneficiary's death or
    move), ``duplicate_card`` (one person or household, one card), ``bank_closed``,
    ``holder_request``, ``other`` (explained in ``note``).
    """

    event_type = "CardAccountClosed"
    schema_version = 1

    beneficiary_id: Id
    reason: Code
    note: Text | None = None


class BeneficiaryDeceased(Event):
    """The beneficiary died on ``died_on``, as ``source`` reported (civil affairs, public
    security, the village…). Their card account, if any, is closed in the same step
    (``CardAccountClosed`` with reason ``deceased``, 001 art.7); nothing is paid to them."""

    event_type = "BeneficiaryDeceased"
    schema_version = 1

    beneficiary_id: Id
    died_on: date
    source: Text


class BeneficiaryMovedOut(Event):
    """The beneficiary moved out (迁出) on ``moved_on`` to the division ``destination_code``
    and left this register; their card account is closed in the same step (reason
    ``moved_out``)."""

    event_type = "BeneficiaryMovedOut"
    schema_version = 1

    beneficiary_id: Id
    moved_on: date
    destination_code: Code


class RosterSubmitted(Event):
    """A township submitted a validated roster of one programme and one round.

    Guarantees: every row passed automatic validation; ``total_fen`` is the exact sum of the
    ``row_count`` rows. The roster is frozen from here: a correction is a new submission after
    it is sent back.
    """

    event_type = "RosterSubmitted"
    schema_version = 1

    roster_id: Id
    programme_code: Code
    township_code: Code
    round_id: Id
    row_count: Count
    total_fen: Fen
