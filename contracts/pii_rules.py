"""What a personal value is: its kinds, its normal form, its sealed shape, the cipher port.

The normal form is what is encrypted and what the blind index covers, so the same person
typed with spaces, a lower-case x or a +86 prefix is found as the same person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final, Literal, Protocol

PiiKind = Literal["citizen_id", "card_account_no", "phone_no"]
PII_CONTEXT_KEY: Final = "pii"
_TEXT: Final = {"type": "string"}
SEALED_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {
        "alg": {"enum": ["AES-256-GCM", "SM4-GCM"]},
        "kid": _TEXT,
        "ct": _TEXT,
        "bidx": _TEXT,
    },
    "required": ["alg", "kid", "ct", "bidx"],
    "additionalProperties": False,
}
"""The JSON Schema of a sealed value, as stored."""


class PiiError(ValueError):
    """Personal data could not be sealed or opened; the message never holds the value."""


class PiiCipher(Protocol):
    """Seals personal data for the log and opens it again; ``purpose`` is the field kind."""

    def seal(self, purpose: PiiKind, value: str) -> dict[str, str]: ...

    def open(self, purpose: PiiKind, sealed: Mapping[str, Any]) -> str: ...

    def check(self, purpose: PiiKind, sealed: Mapping[str, Any]) -> None:
        """Refuse, without decrypting, a sealed value this cipher could never open: a wrong
        shape, an unknown key id, or an algorithm that is not the key's."""
        ...


_FORMATS: Final[Mapping[PiiKind, re.Pattern[str]]] = {
    "citizen_id": re.compile(r"[0-9]{17}[0-9X]"),
    "card_account_no": re.compile(r"[0-9]{6,32}"),
    "phone_no": re.compile(r"[0-9]{5,20}"),
}


_SEPARATORS: Final = re.compile(r"[\s\-]")
_COUNTRY_CODE: Final = re.compile(r"^(\+86|0086)")


def normalise(kind: PiiKind, raw: str) -> str:
    """The canonical text of a value: what is encrypted and what the blind index covers."""
    if _FORMATS[kind].fullmatch(raw) and not (kind == "phone_no" and raw.startswith("0086")):
        return raw  # canonical already (the common case: values normalised when wrapped)
    value = _SEPARATORS.sub("", raw).upper()
    if kind == "phone_no":
        value = _COUNTRY_CODE.sub("", value)
    if not _FORMATS[kind].fullmatch(value):
        raise PiiError(f"not a valid {kind}")
    return value
