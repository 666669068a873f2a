"""What validation needs to know of a programme (补贴项目): its names, unit standard, limits,
and how it treats cross-check list hits, shared accounts and phones, and warning rules.

The programme catalogue owns these values; the application copies the version the roster's
round is paid under into a ``ProgrammeRules``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

ListAction = Literal["reject", "warn", "ignore"]
"""What a hit on a cross-check list does to a row."""

LIST_KINDS: tuple[str, ...] = (
    "deceased",  # 死亡人员
    "public_servant",  # 财政供养人员
    "disabled",  # 残疾人
    "supported",  # 特困供养人员
    "registered_poor",  # 建档立卡人员
)

DEFAULT_LIST_POLICY: Mapping[str, ListAction] = MappingProxyType(
    {
        "deceased": "reject",
        "public_servant": "warn",
        "supported": "warn",
        "disabled": "ignore",
        "registered_poor": "ignore",
    }
)


@dataclass(frozen=True, slots=True)
class WarningRules:
    """Thresholds of the warning rules (预警规则); ``None`` turns a rule off.

    A warning flags a row for a human look; it never stops it being paid.
    """

    median_factor: Decimal | None = Decimal(3)
    """Warn when an amount exceeds this many times the township median of the roster."""
    median_min_rows: int = 10
    """Fewer payable rows than this in a township: its median means nothing, no warning."""
    account_changed_within_days: int | None = 90
    """Warn when the card account was declared or changed fewer days ago than this."""
    age_above: int | None = 100
    """Warn when the beneficiary is older than this many full years."""
    max_quantity: Decimal | None = None
    """Warn when the quantity (e.g. area in mu) exceeds this."""


@dataclass(frozen=True, slots=True)
class ProgrammeRules:
    """The programme as validation sees it. Amounts are in fen, standards in yuan.

    ``unit_standard`` is the yuan per unit (e.g. per mu); ``None`` when the amount is set
    per person, and then only the limits (and quantity × standard, when the roster gives
    both) are checked. ``aliases`` are other names the 补贴项目 column may hold.
    """

    code: str
    standard_name: str
    aliases: frozenset[str] = frozenset()
    unit_standard: Decimal | None = None
    quantity_required: bool = True
    """With a unit standard: an empty quantity is rejected (else it counts as one unit)."""
    min_amount_fen: int = 1
    max_amount_fen: int | None = None
    list_policy: Mapping[str, ListAction] = field(
        default_factory=lambda: DEFAULT_LIST_POLICY, hash=False
    )
    shared_account: Literal["reject", "warn"] = "reject"
    shared_phone: ListAction = "warn"
    warnings: WarningRules = WarningRules()

    def accepted_names(self) -> frozenset[str]:
        """The standard name and aliases, without whitespace, as the column is compared."""
        return frozenset("".join(name.split()) for name in {self.standard_name, *self.aliases})
