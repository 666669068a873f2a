"""Publicity's private events of the beneficiary's own lookup (查询): the codes sent, each
verification and its outcome, the refusals, and the QR tokens. Kept ten years like every
event; they never travel to another service.

None holds a citizen ID, a name, a phone or a code: a target is named by a key derived from
the blind index of its ID, a code and a token by a keyed digest (docs/adr/015).

Streams: ``lookup-<target key>`` (one person, or one ID nobody holds: the decisions),
``lookup-log-<yyyymmdd>`` (refusals, append-only), ``lookup-qr-<beneficiary id>`` (whose
token is current) and ``lookup-qr-token-<token digest>`` (whose a token is).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from contracts.base import Event
from contracts.envelope import UtcDatetime
from contracts.fields import Id

Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""A keyed SHA-256 digest, hex (never the value it was made from)."""
TargetKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
ClientAddress = Annotated[str, StringConstraints(max_length=64)]
Via = Literal["form", "qr"]
Delivery = Literal["sent", "no_match", "no_phone", "phone_limit"]
FailureReason = Literal[
    "wrong_code", "expired", "used", "no_match", "not_sent", "unknown_challenge"
]
RefusalReason = Literal["locked", "too_many_codes", "too_many_requests"]


class LookupCodeIssued(Event):
    """Someone asked for a code for this target (ID and name typed, or a QR token shown).

    ``beneficiary_id`` None: the ID and name matched nobody on the register. ``delivery`` says
    whether the code went out by SMS (``sent``) and why not; a challenge whose code was not
    sent never verifies. The asker is answered the same in every case."""

    event_type = "LookupCodeIssued"
    schema_version = 1

    challenge_id: Id
    code_digest: Digest
    expires_at: UtcDatetime
    beneficiary_id: Id | None
    via: Via
    delivery: Delivery
    client_address: ClientAddress | None = None


class LookupFailed(Event):
    """A code given for a challenge of this target did not verify (counts toward the lock)."""

    event_type = "LookupFailed"
    schema_version = 1

    challenge_id: Id
    reason: FailureReason
    client_address: ClientAddress | None = None


class LookupSucceeded(Event):
    """The code verified: the beneficiary's own payments were shown once; the code is used."""

    event_type = "LookupSucceeded"
    schema_version = 1

    challenge_id: Id
    beneficiary_id: Id
    client_address: ClientAddress | None = None


class LookupRefused(Event):
    """A lookup refused before any code was checked or sent: the target locked, its codes for
    the hour or day used up, or the client address over its limit (``target_key`` None)."""

    event_type = "LookupRefused"
    schema_version = 1

    target_key: TargetKey | None
    reason: RefusalReason
    via: Via
    client_address: ClientAddress | None = None


class LookupTokenIssued(Event):
    """A clerk issued a QR lookup token for the beneficiary; it replaces any earlier one.
    Stored by digest only: whoever holds the printed code holds the token."""

    event_type = "LookupTokenIssued"
    schema_version = 1

    beneficiary_id: Id
    token_digest: Digest


class LookupTokenRevoked(Event):
    """A clerk revoked the beneficiary's QR token (lost, or printed by mistake)."""

    event_type = "LookupTokenRevoked"
    schema_version = 1

    beneficiary_id: Id
    token_digest: Digest


LOOKUP_EVENTS = (
    LookupCodeIssued,
    LookupFailed,
    LookupSucceeded,
    LookupRefused,
    LookupTokenIssued,
    LookupTokenRevoked,
)
