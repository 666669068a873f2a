"""The invariant of a round, to the fen (issue 6): succeeded + returned to treasury +
outstanding = approved total. Every row is in exactly one of the three, at its approved amount
(a re-issue pays the same amount), so the sums balance exactly when every approved row is
accounted for once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ledger:
    approved_rows: int
    approved_fen: int
    succeeded_rows: int = 0
    succeeded_fen: int = 0
    returned_rows: int = 0
    returned_fen: int = 0
    outstanding_rows: int = 0
    outstanding_fen: int = 0

    @property
    def difference_fen(self) -> int:
        """Approved minus what the rows account for (0 when balanced)."""
        return self.approved_fen - self.succeeded_fen - self.returned_fen - self.outstanding_fen

    @property
    def balanced(self) -> bool:
        rows = self.succeeded_rows + self.returned_rows + self.outstanding_rows
        return self.difference_fen == 0 and rows == self.approved_rows


def ledger_of(
    approved_rows: int, approved_fen: int, groups: Iterable[tuple[str, int, int]]
) -> Ledger:
    """The ledger of a round approved at (``approved_rows``, ``approved_fen``) from its rows
    as (status, rows, fen) groups: one per row, or counted per status."""
    sums: dict[str, list[int]] = {"paid": [0, 0], "returned": [0, 0], "outstanding": [0, 0]}
    for status, rows, fen in groups:
        bucket = sums[status if status in ("paid", "returned") else "outstanding"]
        bucket[0] += rows
        bucket[1] += fen
    return Ledger(
        approved_rows, approved_fen, *sums["paid"], *sums["returned"], *sums["outstanding"]
    )
