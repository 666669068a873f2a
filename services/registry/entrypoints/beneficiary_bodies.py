"""The request bodies of the beneficiary routes: closed (unknown fields refused), bounded,
and never echoing personal data in validation errors."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

_CLOSED = ConfigDict(extra="forbid", hide_input_in_errors=True)
_REASON = Field(min_length=1, max_length=200)
_HOUSEHOLD = r"^[A-Za-z0-9\-]{1,64}$"


class CorrectBody(BaseModel):
    model_config = _CLOSED

    reason: str = _REASON
    name: str | None = Field(default=None, min_length=1, max_length=64)
    village_code: str | None = Field(default=None, min_length=1, max_length=12)
    household_id: str | None = Field(default=None, pattern=_HOUSEHOLD)
    phone: str | None = Field(default=None, max_length=20)
    """Explicitly null: the phone is removed."""


class AccountBody(BaseModel):
    model_config = _CLOSED

    bank_code: str = Field(pattern=r"^[A-Za-z0-9_.\-]{1,32}$")
    account_no: str = Field(min_length=1, max_length=40)
    holder_name: str = Field(min_length=1, max_length=64)


class ApplicationBody(AccountBody):
    application_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_\-]{1,64}$")
    """Named by the caller, or derived from the Idempotency-Key."""
    reason: str = _REASON


class ReviewBody(BaseModel):
    model_config = _CLOSED

    decision: Literal["approve", "reject"]
    reason: str | None = Field(default=None, max_length=200)
    """Required to reject."""


class VerifyBody(BaseModel):
    model_config = _CLOSED

    verified_at: AwareDatetime | None = None


class ReasonBody(BaseModel):
    model_config = _CLOSED

    reason: str = _REASON


class ClosureBody(BaseModel):
    model_config = _CLOSED

    reason: str = Field(min_length=1, max_length=32)
    note: str | None = Field(default=None, max_length=200)


class ReverifyBody(BaseModel):
    model_config = _CLOSED

    year: int | None = Field(default=None, ge=2000, le=2200)


class DeathBody(BaseModel):
    model_config = _CLOSED

    died_on: date
    source: str = _REASON


class MoveOutBody(BaseModel):
    model_config = _CLOSED

    moved_on: date
    destination_code: str = Field(max_length=12)
