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
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

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


class SubmittedRow(BaseModel):
    """One payable row of a submitted roster: who is paid, into which account, how much.

    The row as the registry validated it and matched it to the register: the card account is
    the one the beneficiary declared (or the row's own, when the row named another). Amounts
    in fen; the quantity as a decimal (mu, head, person) exactly as submitted.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    row_no: Count
    beneficiary_id: Id
    citizen_id: CitizenId
    name: Text
    village_code: Code
    village: Text
    """The village (and group) as the roster wrote it, for display."""
    quantity: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)] | None = None
    standard_fen: Fen | None = None
    amount_fen: Fen
    bank_code: Code
    account_no: CardAccountNo
    warnings: tuple[Code, ...] = ()
    """Warning rules (预警规则) the row tripped and a clerk accepted."""


class RosterRowsSubmitted(Event):
    """One part of the rows of a roster being submitted (at most ``MAX_ROWS_PER_PART``).

    Guarantees: appended in the same append as the ``RosterSubmitted`` that follows it, parts
    numbered from 1 without gaps; together the parts of one submission hold every payable row
    exactly once. A later submission of the same roster (after a send-back) replaces them.
    """

    event_type = "RosterRowsSubmitted"
    schema_version = 1

    roster_id: Id
    submission_no: Annotated[int, Field(strict=True, ge=1)]
    part: Annotated[int, Field(strict=True, ge=1)]
    rows: Annotated[tuple[SubmittedRow, ...], Field(min_length=1, max_length=1000)]


MAX_ROWS_PER_PART: Final = 1000
"""Rows per ``RosterRowsSubmitted``: keeps one Kafka message well under a megabyte."""


class RosterSubmitted(Event):
    """A township submitted a validated roster of one programme and one round.

    Guarantees: every row passed automatic validation; ``total_fen`` is the exact sum of the
    ``row_count`` rows, published in ``parts`` ``RosterRowsSubmitted`` events of the same
    ``submission_no`` just before this one. The roster is frozen from here: a correction is a
    new submission (the next ``submission_no``) after it is sent back. ``prepared_by`` names
    every user who drafted, imported, typed or corrected its rows: none of them may approve it.
    """

    event_type = "RosterSubmitted"
    schema_version = 2

    roster_id: Id
    programme_code: Code
    township_code: Code
    round_id: Id
    row_count: Count
    total_fen: Fen
    submission_no: Annotated[int, Field(strict=True, ge=1)]
    programme_version: Annotated[int, Field(strict=True, ge=1)]
    """The catalogue version of the programme the roster is paid under."""
    programme_name: Text
    """The programme's standard name (what notices, disclosures and SMS show)."""
    notice_working_days: Annotated[int, Field(strict=True, ge=1)]
    """The public notice's length for this roster's jurisdiction, in working days."""
    confidential: bool
    """A confidential (涉密) programme is never shown on a public page."""
    township_name: Text
    parts: Count
    prepared_by: tuple[Annotated[str, StringConstraints(min_length=1, max_length=128)], ...]


def roster_submitted_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 (no release wrote it) carried no rows, preparers or programme terms: read as a
    first submission whose rows were not published, under the longest notice (7 working
    days, 001) and kept off public pages (confidential) until someone knows better."""
    return {
        **data,
        "submission_no": 1,
        "parts": 0,
        "prepared_by": [],
        "programme_version": 1,
        "programme_name": data["programme_code"],
        "notice_working_days": 7,
        "confidential": True,
        "township_name": data["township_code"],
    }
