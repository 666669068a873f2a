"""The lookup's ports: the keyed digests and sealed challenges it computes, whoever carries a
code to a phone, and whoever draws a QR code."""

from __future__ import annotations

from typing import Protocol

from contracts.pii import PhoneNo


class LookupSecrets(Protocol):
    """Everything the lookup derives from a secret key outside the store and the projection,
    so that neither a copy of the log nor of the tables lets anyone test names, codes or
    tokens offline."""

    def id_index(self, citizen_id: str) -> str:
        """The blind index of a citizen ID (the register's); raises PiiError when malformed."""
        ...

    def name_digest(self, beneficiary_id: str, name: str) -> str:
        """A digest of the name (normalised) bound to one beneficiary."""
        ...

    def code_digest(self, challenge_id: str, code: str) -> str:
        """A digest of a one-time code bound to one challenge."""
        ...

    def token_digest(self, token: str) -> str:
        """The digest a QR token is stored and found by."""
        ...

    def seal_challenge(self, target_key: str, challenge_id: str) -> str:
        """An opaque, tamper-proof handle of a challenge for the asker: it names the target
        without showing anything derived from the ID."""
        ...

    def open_challenge(self, sealed: str) -> tuple[str, str] | None:
        """(target key, challenge id) of a handle this service sealed; None otherwise."""
        ...


class CodeSender(Protocol):
    """Hands a one-time code's SMS over. Never raises: a message not handed over is logged
    (without the number) and the person asks again."""

    name: str

    async def send(self, *, message_id: str, phone: PhoneNo, text: str) -> bool: ...


class QrEncoder(Protocol):
    """Draws a QR code as inline SVG; None when no encoder is installed (the page then
    prints the address as text)."""

    def svg(self, data: str) -> str | None: ...
