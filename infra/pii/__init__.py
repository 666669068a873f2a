"""Keys and cipher for the personal data inside the log (see ``contracts.pii``).

Wiring: ``FieldCipher(keys=LocalKeyFile(path, algorithm=name), algorithm=name)`` with
``name`` the cipher setting (``"aes-256-gcm"`` by default, or ``"sm4-gcm"``).
"""

from __future__ import annotations

from infra.pii.cipher import ALG_LABELS, DecryptionFailed, FieldCipher
from infra.pii.keyfile import LocalKeyFile
from infra.pii.keys import CIPHER_NAMES, CipherName, DataKey, KeyProvider, UnknownKey

__all__ = [
    "ALG_LABELS",
    "CIPHER_NAMES",
    "CipherName",
    "DataKey",
    "DecryptionFailed",
    "FieldCipher",
    "KeyProvider",
    "LocalKeyFile",
    "UnknownKey",
]
