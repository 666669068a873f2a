"""Sealing personal data for the log: AES-256-GCM or SM4-GCM, plus a keyed blind index.

A sealed value is ``{"alg", "kid", "ct", "bidx"}``: ``ct`` is base64(nonce + ciphertext +
tag), authenticated with the purpose (the field kind) as associated data, so a citizen ID
cannot be passed off as a phone number; ``bidx`` is HMAC-SHA256 (HMAC-SM3 with SM4) over
purpose and normalised value, under a separate index key, for lookups and duplicate checks.
The index MAC is fixed with the index key (the key file records it), so changing the cipher
setting later never makes old indexes stop matching new ones.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Mapping
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts.pii import PiiError, PiiKind, normalise
from infra.pii.keys import CipherName, DataKey, KeyProvider

ALG_LABELS: Final[dict[CipherName, str]] = {"aes-256-gcm": "AES-256-GCM", "sm4-gcm": "SM4-GCM"}
_BY_LABEL: Final = {label: name for name, label in ALG_LABELS.items()}
_PARTS: Final = {"alg", "kid", "ct", "bidx"}
_NONCE: Final = 12
_TAG: Final = 16


class DecryptionFailed(PiiError):
    """A sealed value was tampered with, sealed for another purpose, or is malformed."""


class FieldCipher:
    """The PiiCipher of ``contracts.pii``, over keys from a KeyProvider."""

    def __init__(self, *, keys: KeyProvider, algorithm: CipherName = "aes-256-gcm") -> None:
        current = keys.current_key()
        if current.algorithm != algorithm:
            raise ValueError(
                f"cipher is {algorithm} but the current key {current.kid!r} is "
                f"{current.algorithm}: rotate the key file"
            )
        self._keys = keys
        self.algorithm: CipherName = algorithm
        self._aead: dict[str, AESGCM] = {}

    def seal(self, purpose: PiiKind, value: str) -> dict[str, str]:
        key = self._keys.current_key()
        nonce = secrets.token_bytes(_NONCE)
        sealed = self._encrypt(key, nonce, value.encode(), purpose.encode())
        return {
            "alg": ALG_LABELS[key.algorithm],
            "kid": key.kid,
            "ct": base64.b64encode(nonce + sealed).decode(),
            "bidx": self.blind_index(purpose, value),
        }

    def check(self, purpose: PiiKind, sealed: Mapping[str, Any]) -> None:
        self._key_for(purpose, sealed)

    def open(self, purpose: PiiKind, sealed: Mapping[str, Any]) -> str:
        key = self._key_for(purpose, sealed)
        try:
            raw = base64.b64decode(str(sealed.get("ct")), validate=True)
            plain = self._decrypt(key, raw[:_NONCE], raw[_NONCE:], purpose.encode())
        except (InvalidTag, ValueError, binascii.Error):
            raise DecryptionFailed(f"{purpose}: tampered, wrong purpose or malformed") from None
        return plain.decode()

    def _key_for(self, purpose: PiiKind, sealed: Mapping[str, Any]) -> DataKey:
        """The key a sealed value names, after checking its shape (run for every personal
        field read from the log, so written for speed: no generators, ABCs or lookups twice)."""
        if sealed.keys() != _PARTS:
            raise DecryptionFailed(f"{purpose}: not a sealed value")
        alg, kid, ct, bidx = sealed["alg"], sealed["kid"], sealed["ct"], sealed["bidx"]
        if type(alg) is not str or type(kid) is not str or type(ct) is not str:
            raise DecryptionFailed(f"{purpose}: not a sealed value")
        if type(bidx) is not str:
            raise DecryptionFailed(f"{purpose}: not a sealed value")
        key = self._keys.key(kid)
        if _BY_LABEL.get(alg) != key.algorithm:
            raise DecryptionFailed(f"{purpose}: algorithm does not match key {key.kid!r}")
        return key

    def blind_index(self, purpose: PiiKind, value: str) -> str:
        """The blind index of a value (normalised first), to look up or de-duplicate by."""
        message = purpose.encode() + b"\x00" + normalise(purpose, value).encode()
        if self._keys.index_algorithm() == "hmac-sm3":
            mac = crypto_hmac.HMAC(self._keys.index_key(), hashes.SM3())
            mac.update(message)
            return mac.finalize().hex()
        return hmac.new(self._keys.index_key(), message, "sha256").hexdigest()

    def _aes(self, key: DataKey) -> AESGCM:
        aead = self._aead.get(key.kid)
        if aead is None:
            aead = self._aead[key.kid] = AESGCM(key.secret)
        return aead

    def _encrypt(self, key: DataKey, nonce: bytes, plain: bytes, aad: bytes) -> bytes:
        if key.algorithm == "aes-256-gcm":
            return self._aes(key).encrypt(nonce, plain, aad)
        encryptor = Cipher(algorithms.SM4(key.secret), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        return encryptor.update(plain) + encryptor.finalize() + encryptor.tag

    def _decrypt(self, key: DataKey, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        if len(nonce) != _NONCE or len(sealed) < _TAG:
            raise ValueError("sealed value too short")
        if key.algorithm == "aes-256-gcm":
            return self._aes(key).decrypt(nonce, sealed, aad)
        tag = sealed[-_TAG:]
        decryptor = Cipher(algorithms.SM4(key.secret), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(sealed[:-_TAG]) + decryptor.finalize()
