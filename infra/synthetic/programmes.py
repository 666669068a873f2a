"""A small catalogue of subsidy programmes (补贴项目) for synthetic rosters.

Standards are Decimal yuan; internally the generator works in integer fen and hundredths
of a unit, which is exact: amount = quantity × standard rounded half up to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

FEN = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Programme:
    """One programme: who is on its rosters and how their amount is computed.

    ``basis`` "household" pays the household head, "person" pays each person; ``coverage``
    is the share of eligible heads or persons on the roster. Quantities are drawn between
    ``quantity_min`` and ``quantity_max`` with ``decimals`` places (0 for months or persons).
    """

    code: str
    name: str
    unit: str
    standard: Decimal
    limit: Decimal
    basis: Literal["household", "person"]
    coverage: float
    quantity_min: Decimal
    quantity_max: Decimal
    decimals: int = 2
    min_age: int = 0
    excludes_public_servants: bool = False

    @property
    def standard_fen(self) -> int:
        return int(self.standard * 100)

    @property
    def limit_fen(self) -> int:
        return int(self.limit * 100)

    def amount(self, quantity: Decimal, standard: Decimal | None = None) -> Decimal:
        """quantity × standard, rounded half up to the fen (the rule the rosters follow)."""
        return (quantity * (self.standard if standard is None else standard)).quantize(
            FEN, rounding=ROUND_HALF_UP
        )


FARMLAND = Programme(
    code="GDDLBH",
    name="耕地地力保护补贴",
    unit="亩",
    standard=Decimal("108.47"),
    limit=Decimal("5000.00"),
    basis="household",
    coverage=0.9,
    quantity_min=Decimal("0.50"),
    quantity_max=Decimal("30.00"),
)
LOW_INCOME = Programme(
    code="DBJ",
    name="城乡居民最低生活保障金",
    unit="月",
    standard=Decimal("455.00"),
    limit=Decimal("1500.00"),
    basis="person",
    coverage=0.12,
    quantity_min=Decimal("3"),
    quantity_max=Decimal("3"),
    decimals=0,
    excludes_public_servants=True,
)
FOREST = Programme(
    code="STGYL",
    name="生态公益林补偿",
    unit="亩",
    standard=Decimal("15.75"),
    limit=Decimal("3000.00"),
    basis="household",
    coverage=0.35,
    quantity_min=Decimal("1.00"),
    quantity_max=Decimal("80.00"),
)
ELDERLY = Programme(
    code="GLJT",
    name="高龄老人补贴",
    unit="月",
    standard=Decimal("100.00"),
    limit=Decimal("600.00"),
    basis="person",
    coverage=1.0,
    quantity_min=Decimal("3"),
    quantity_max=Decimal("3"),
    decimals=0,
    min_age=80,
    excludes_public_servants=True,
)
CATALOGUE: tuple[Programme, ...] = (FARMLAND, LOW_INCOME, FOREST, ELDERLY)
"""``write_county(programmes=n)`` takes the first ``n``."""
