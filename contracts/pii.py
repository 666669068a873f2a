"""Personal data inside contracts: values that never print, and never reach JSON in clear.

A citizen ID, a card account number or a phone number is held in memory as a small wrapper
whose ``repr`` and ``str`` are masked. In JSON mode it serialises only through the cipher
passed in the pydantic context, ``model_dump(mode="json", context={"pii": cipher})``;
without a cipher, serialising raises (fail closed). The stored form is
``{"alg", "kid", "ct", "bidx"}`` (see ``infra/pii``).

A value read from the log stays sealed in memory until ``reveal()`` (or masking) needs the
plaintext: decoding checks its shape and that the key is known, and decryption, which
authenticates the ciphertext, happens on first use. Projections that only need the blind
index never decrypt, and re-encoding a value that was never revealed copies it sealed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from contracts.masking import mask
from contracts.pii_rules import (
    PII_CONTEXT_KEY,
    SEALED_SCHEMA,
    PiiCipher,
    PiiError,
    PiiKind,
    normalise,
)

__all__ = [
    "PII_CONTEXT_KEY",
    "SEALED_SCHEMA",
    "CardAccountNo",
    "CitizenId",
    "PhoneNo",
    "PiiCipher",
    "PiiError",
    "PiiKind",
    "normalise",
]


class _Pii:
    """A normalised personal value; ``reveal()`` is the only way to read it."""

    __slots__ = ("_sealed", "_value")
    kind: ClassVar[PiiKind]

    def __init__(self, raw: str) -> None:
        self._value: str | None = normalise(self.kind, raw)
        self._sealed: tuple[Mapping[str, Any], PiiCipher] | None = None

    @classmethod
    def from_sealed(cls, sealed: Mapping[str, Any], cipher: PiiCipher) -> Self:
        """A value read from the log, opened by ``cipher`` when first revealed."""
        cipher.check(cls.kind, sealed)
        value = cls.__new__(cls)
        value._value, value._sealed = None, (sealed, cipher)
        return value

    def reveal(self) -> str:
        """The plaintext; raises a PiiError when a sealed value does not authenticate."""
        if self._value is None:
            if self._sealed is None:
                raise PiiError(f"{self.kind}: holds neither a value nor a sealed value")
            sealed, cipher = self._sealed
            self._value = cipher.open(self.kind, sealed)
        return self._value

    def masked(self) -> str:
        """The value as every output may show it (``contracts.masking``, the one policy)."""
        return mask(self.kind, self.reveal())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.masked()!r})"

    __str__ = masked

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.reveal() == self.reveal()

    def __hash__(self) -> int:
        return hash((self.kind, self.reveal()))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        serialise = core_schema.plain_serializer_function_ser_schema(cls._serialise, info_arg=True)
        return core_schema.with_info_plain_validator_function(
            cls._validate, serialization=serialise
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**SEALED_SCHEMA, "x-pii": cls.kind}

    @classmethod
    def _validate(cls, value: object, info: ValidationInfo) -> Self:
        if type(value) is dict:  # the common case, reading the log: checked first, cheaply
            return cls.from_sealed(value, _cipher(info.context))
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            if _has_cipher(info.context):
                raise PiiError(f"{cls.kind} was stored in clear: stored personal data is sealed")
            return cls(value)
        if isinstance(value, Mapping):
            return cls.from_sealed(value, _cipher(info.context))
        raise PiiError(f"{cls.kind} must be a string or a sealed object")

    @classmethod
    def _serialise(cls, value: Self, info: core_schema.SerializationInfo) -> object:
        if not info.mode_is_json():
            return value
        cipher = _cipher(info.context)
        if value._value is None and value._sealed is not None and value._sealed[1] is cipher:
            return dict(value._sealed[0])
        return cipher.seal(cls.kind, value.reveal())


def _has_cipher(context: object) -> bool:
    return isinstance(context, Mapping) and context.get(PII_CONTEXT_KEY) is not None


def _cipher(context: object) -> PiiCipher:
    if type(context) is dict:
        cipher = context.get(PII_CONTEXT_KEY)
    else:
        cipher = context.get(PII_CONTEXT_KEY) if isinstance(context, Mapping) else None
    if cipher is None:
        raise PiiError('personal data needs a cipher: pass context={"pii": cipher}')
    return cipher  # type: ignore[no-any-return]


class CitizenId(_Pii):
    """An 18-character citizen ID number (GB 11643), upper-case, masked but for the last 4."""

    kind = "citizen_id"


class CardAccountNo(_Pii):
    """A social-security-card financial account number, masked but for the last 4 digits."""

    kind = "card_account_no"


class PhoneNo(_Pii):
    """A phone number without separators or +86, masked but for the last 4 (*******5678)."""

    kind = "phone_no"
