"""The key provider port: where the keys that protect personal data come from.

Keys live outside the event store (a local key file, a KMS, an HSM), so that a copy of the
log alone reveals no personal data, and destroying a key makes what it sealed unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal, Protocol, get_args

from contracts.pii import PiiError

CipherName = Literal["aes-256-gcm", "sm4-gcm"]
"""The setting that chooses the cipher; SM4-GCM goes with HMAC-SM3 blind indexes."""
CIPHER_NAMES: Final[tuple[CipherName, ...]] = get_args(CipherName)
IndexName = Literal["hmac-sha256", "hmac-sm3"]
"""The blind-index MAC, fixed when the index key is made (indexes must keep matching)."""
INDEX_FOR_CIPHER: Final[dict[CipherName, IndexName]] = {
    "aes-256-gcm": "hmac-sha256",
    "sm4-gcm": "hmac-sm3",
}
KEY_BYTES: Final[dict[CipherName, int]] = {"aes-256-gcm": 32, "sm4-gcm": 16}


class UnknownKey(PiiError):
    """The key id is not known to the key provider (destroyed, or from another deployment)."""


@dataclass(frozen=True, slots=True)
class DataKey:
    """A data-encryption key, named by the id stored next to everything it seals."""

    kid: str
    algorithm: CipherName
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_BYTES[self.algorithm]:
            raise ValueError(f"key {self.kid!r} has the wrong length for {self.algorithm}")


class KeyProvider(Protocol):
    """Data keys for sealing (one current) and opening (every kept key), and the index key.

    Rotation adds a new current key and keeps the old ones for opening; the index key never
    rotates, or the blind indexes of old events would stop matching new ones.
    """

    def current_key(self) -> DataKey:
        """The key new personal data is sealed with."""
        ...

    def key(self, kid: str) -> DataKey:
        """The key with this id; raises UnknownKey."""
        ...

    def index_key(self) -> bytes:
        """The separate key of the blind index."""
        ...

    def index_algorithm(self) -> IndexName:
        """The MAC of the blind index; it never changes for an index key."""
        ...
