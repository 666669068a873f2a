"""How the simulated bank behaves: one typed, validated configuration (the CLI's flags)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

PERMANENT: Final = ("account_closed", "name_mismatch", "account_frozen", "invalid_account")
"""Rejections the payout waits on a person for (the account or the payee must change)."""
TRANSIENT: Final = ("bank_system_busy", "channel_error", "funds_not_arrived")
"""Rejections the payout retries by itself, under the next attempt's id."""
RETURN_REASON: Final = "account_closed"
"""Why a credited payment came back (退票): the account was closed after all."""

Share = Annotated[float, Field(ge=0.0, le=1.0)]


class SimulatorConfig(BaseModel):
    """``*_share`` is the share of instructions it happens to, decided per instruction id
    from the seed (the same id always meets the same fate, across restarts)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(description="The payout service's base URL.")
    key_id: str
    secret: str = Field(min_length=32, repr=False)
    ledger: Path = Field(description="The bank's own ledger (SQLite): what it paid, per id.")
    seed: int = 1
    failure_share: Share = 0.03
    failure_kinds: dict[str, float] = Field(
        default_factory=lambda: dict.fromkeys((*PERMANENT, *TRANSIENT), 1.0),
        description="Relative weights of the rejection codes.",
    )
    timeout_share: Share = 0.0
    """Executed, but the answer is lost: ``unknown`` first, the outcome when queried."""
    duplicate_share: Share = 0.0
    reorder: bool = False
    """Answers shuffled, and a few held back to the next round."""
    return_share: Share = 0.0
    """Credited, then returned (a failure after the success was taken)."""
    answer_delay: float = Field(0.0, ge=0.0, le=60.0, description="Max seconds before a push.")
    poll_interval: float = Field(1.0, gt=0.0, le=3600.0)
    push_size: int = Field(200, ge=1, le=1000)
    crash_probability: Share = 0.0
    """At each risky point (after deciding, between pushes, before noting an answer taken)."""
    until_idle: int | None = Field(None, ge=1)
    """Stop (exit 0) after this many rounds in a row with nothing handed and nothing to send."""

    @field_validator("failure_kinds")
    @classmethod
    def _known_kinds(cls, kinds: dict[str, float]) -> dict[str, float]:
        unknown = set(kinds) - {*PERMANENT, *TRANSIENT}
        if unknown:
            raise ValueError(f"unknown rejection codes: {', '.join(sorted(unknown))}")
        if not kinds or any(weight < 0 for weight in kinds.values()) or not sum(kinds.values()):
            raise ValueError("failure_kinds needs at least one positive weight")
        return kinds


def parse_kinds(text: str) -> dict[str, float]:
    """``account_closed=2,bank_system_busy=1`` (a bare code weighs 1)."""
    kinds: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        code, _, weight = item.partition("=")
        kinds[code.strip()] = float(weight) if weight else 1.0
    return kinds
