"""Quantities, standards and amounts of a programme's rows, in exact integers.

A quantity is in hundredths of the programme's unit (mu with 2 decimals, or whole months
or persons as multiples of 100), a standard in fen per unit, and an amount in fen:
``(quantity × standard + 50) // 100`` is quantity × standard rounded half up to the fen.
"""

from __future__ import annotations

import random

from infra.synthetic.defects import DefectKind
from infra.synthetic.programmes import Programme
from infra.synthetic.roster_files import money, quantity_text


def amount_of(quantity: int, standard: int) -> int:
    """fen of ``quantity`` hundredths of a unit at ``standard`` fen per unit (half up)."""
    return (quantity * standard + 50) // 100


class Amounts:
    def __init__(self, programme: Programme, rng: random.Random) -> None:
        self.rng = rng
        self.standard = programme.standard_fen
        self.limit = programme.limit_fen
        self.decimals = programme.decimals
        self.step = int(10 ** (2 - programme.decimals))
        self.low = int(programme.quantity_min * 100)
        self.span = int(programme.quantity_max * 100) - self.low
        self.cap = self._most(self.standard)
        if self.cap < self.low:
            raise ValueError(f"{programme.code}: the smallest quantity is over the limit")
        self.fixed = (self.low, amount_of(self.low, self.standard))
        self.fixed_text = (*self.fixed, self.text(self.low), money(self.fixed[1]))

    def _most(self, standard: int) -> int:
        """The largest quantity whose amount at ``standard`` stays within the limit."""
        most = (100 * self.limit + 49) // standard
        return most - most % self.step

    def draw(self) -> tuple[int, int]:
        """(quantity, amount) of an ordinary row: small holdings more often than large."""
        if not self.span:
            return self.fixed
        r = self.rng.random()
        quantity = self.low + int(self.span * r * r)
        quantity = min(self.cap, quantity - (quantity - self.low) % self.step)
        return quantity, amount_of(quantity, self.standard)

    def draw_text(self) -> tuple[int, int, str, str]:
        """``draw()`` with the quantity and amount as text."""
        if not self.span:
            return self.fixed_text
        quantity, amount = self.draw()
        return quantity, amount, self.text(quantity), money(amount)

    def text(self, quantity: int) -> str:
        return money(quantity) if self.step == 1 else quantity_text(quantity, self.decimals)

    def spoil(self, quantity: int, amount: int, kind: DefectKind) -> tuple[int, int, int]:
        """(quantity, standard, amount) with one defect of ``kind``."""
        rng = self.rng
        if kind is DefectKind.AMOUNT_MISMATCH:
            up = amount + 1 <= self.limit and (amount < 2 or rng.random() < 0.5)
            return quantity, self.standard, amount + (1 if up else -1)
        if kind is DefectKind.WRONG_STANDARD:
            delta = 100 + int(rng.random() * 900)
            standard = self.standard - delta if self.standard > delta else self.standard + delta
            quantity = min(quantity, self._most(standard))
            return quantity, standard, amount_of(quantity, standard)
        if kind is DefectKind.OVER_LIMIT:
            least = -(-(100 * self.limit + 50) // self.standard)
            quantity = least + int(least * rng.random() * 0.5)
            quantity += -quantity % self.step
            return quantity, self.standard, amount_of(quantity, self.standard)
        raise ValueError(f"{kind} is not an amount defect")
