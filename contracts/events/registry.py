"""Integration events published by the registry service (the beneficiary register, 底册).

Streams: ``beneficiary-<beneficiary_id>`` and ``roster-<roster_id>``. Personal data
(citizen ID, phone, card account) is typed as such and stored encrypted with a blind index
(see ``contracts.pii``).
"""

from __future__ import annotations

from contracts.base import Event
from contracts.fields import Code, Count, Fen, Id, Text
from contracts.pii import CardAccountNo, CitizenId, PhoneNo


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
    it comes from the person's own application, never from an edit by finance. Whether the
    bank accepts the account is known only from payment results.
    """

    event_type = "CardAccountDeclared"
    schema_version = 1

    beneficiary_id: Id
    bank_code: Code
    account_no: CardAccountNo
    holder_name: Text


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
