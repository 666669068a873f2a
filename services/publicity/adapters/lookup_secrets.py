"""The lookup's secrets, derived from the personal-data key provider: the blind index of the
ID is the register's own (``FieldCipher``); names, codes and tokens are digested with
HMAC-SHA256 under a subkey of the index key, and challenges sealed with AES-256-GCM under
another, so that a copy of the log or of the projection lets nobody test a name or a
six-digit code offline, and a challenge handle shows nothing derived from the ID.

Subkeys are ``HMAC(index key, label)``: the index key never rotates (ADR 004), so neither do
they; a challenge lives minutes, so no sealed handle outlives a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import unicodedata
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infra.pii import FieldCipher, KeyProvider

_DIGEST_LABEL: Final = b"onecard/publicity/lookup/digest/v1"
_CHALLENGE_LABEL: Final = b"onecard/publicity/lookup/challenge/v1"
_AAD: Final = b"lookup-challenge"
_NONCE: Final = 12
_DOTS: Final = str.maketrans({"•": "·", "・": "·", "．": "·", ".": "·", "▪": "·"})


def normal_name(name: str) -> str:
    """A name as compared: NFKC, no spaces, one kind of middle dot."""
    folded = unicodedata.normalize("NFKC", name).translate(_DOTS)
    return "".join(folded.split())


class KeyedLookupSecrets:
    def __init__(self, *, cipher: FieldCipher, keys: KeyProvider) -> None:
        index_key = keys.index_key()
        self._cipher = cipher
        self._digest_key = hmac.new(index_key, _DIGEST_LABEL, hashlib.sha256).digest()
        challenge_key = hmac.new(index_key, _CHALLENGE_LABEL, hashlib.sha256).digest()
        self._aead = AESGCM(challenge_key)

    def id_index(self, citizen_id: str) -> str:
        return self._cipher.blind_index("citizen_id", citizen_id)

    def name_digest(self, beneficiary_id: str, name: str) -> str:
        return self._digest(b"name", beneficiary_id, normal_name(name))

    def code_digest(self, challenge_id: str, code: str) -> str:
        return self._digest(b"code", challenge_id, code.strip())

    def token_digest(self, token: str) -> str:
        return self._digest(b"token", "", token)

    def _digest(self, purpose: bytes, scope: str, value: str) -> str:
        message = b"\x00".join((purpose, scope.encode(), value.encode()))
        return hmac.new(self._digest_key, message, hashlib.sha256).hexdigest()

    def seal_challenge(self, target_key: str, challenge_id: str) -> str:
        nonce = secrets.token_bytes(_NONCE)
        plain = f"{target_key}/{challenge_id}".encode()
        sealed = nonce + self._aead.encrypt(nonce, plain, _AAD)
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open_challenge(self, sealed: str) -> tuple[str, str] | None:
        try:
            raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
            plain = self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], _AAD).decode()
        except (InvalidTag, ValueError, binascii.Error, UnicodeDecodeError):
            return None
        target_key, _, challenge_id = plain.partition("/")
        return (target_key, challenge_id) if challenge_id else None
