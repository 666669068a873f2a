"""Valid, unique identifiers made fast: citizen IDs, mobile phones, card account numbers.

Speed matters (a million people in seconds), so check characters are sums of precomputed
partial sums rather than per-digit loops, and uniqueness costs no memory where it can be
avoided: phone and card serials are a keyed permutation of a running counter (a
bijection on 10**8), and citizen IDs of the home county are tracked in a bitmap of
(birth day, sequence) pairs — about 4.6 MB for 110 years.
"""

from __future__ import annotations

import random
from datetime import date
from functools import cache
from typing import Final

_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK: Final = "10X98765432"
PHONE_PREFIXES: Final = (
    *range(130, 140), *(150, 151, 152, 153, 155, 156, 157, 158, 159),
    *range(180, 190), *(191, 193, 195, 196, 197, 198, 199),
)  # fmt: skip
_SPAN: Final = 10**8


def id_weighted(digits: str, start: int) -> int:
    """Sum of ``digits`` times the GB 11643 weights from position ``start`` on."""
    return sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS[start:], strict=False))


def id_check(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) of 17 digits."""
    return ID_CHECK[id_weighted(first17, 0) % 11]


class Scramble:
    """A keyed bijection on ``0 <= n < 10**8`` (two Feistel rounds on two 4-digit
    halves): serials from a counter look random and never repeat."""

    def __init__(self, key: str) -> None:
        rng = random.Random(key)  # noqa: S311 - synthetic data, not secrets
        self._a, self._b = (
            tuple(int(rng.random() * 10_000) for _ in range(10_000)) for _ in range(2)
        )

    def __call__(self, n: int) -> int:
        if not 0 <= n < _SPAN:
            raise ValueError("a serial has 8 digits")
        left, right = divmod(n, 10_000)
        left = (left + self._a[right]) % 10_000
        return left * 10_000 + (right + self._b[left]) % 10_000


@cache
def _day_table(first: int, last: int) -> tuple[tuple[str, int], ...]:
    """(YYYYMMDD, its weighted sum) of every day from ordinal ``first`` to ``last``."""
    years = {y: id_weighted(f"{y:04d}", 6) for y in range(1, 10_000)}
    months = [id_weighted(f"{m:02d}", 10) for m in range(13)]
    days = [id_weighted(f"{d:02d}", 12) for d in range(32)]
    table = []
    for n in range(first, last + 1):
        d = date.fromordinal(n)
        table.append(
            (f"{d.year:04d}{d.month:02d}{d.day:02d}", years[d.year] + months[d.month] + days[d.day])
        )
    return tuple(table)


_SEQS: Final = tuple((f"{s:03d}", id_weighted(f"{s:03d}", 14)) for s in range(1000))


class CitizenIds:
    """Hands out unique 18-digit citizen IDs of one region code for given birth days.

    The home county tracks what it issued in a bitmap; other regions, which issue few, in
    a set (``bitmap=False``).
    """

    def __init__(self, region: str, *, first: date, last: date, bitmap: bool = True) -> None:
        self.region = region
        self.first = first.toordinal()
        self.last = last.toordinal()
        self._region_sum = id_weighted(region, 0)
        self._days = _day_table(self.first, self.last)
        size = (self.last - self.first + 1) * 1000
        self._bits = bytearray((size + 7) // 8) if bitmap else None
        self._keys: set[int] = set()

    def take(self, day: int, *, male: bool, rng: random.Random) -> str:
        """A fresh ID of someone born on ordinal ``day``: odd sequence for men, even for women."""
        day = min(max(day, self.first), self.last)
        parity, bits, random_ = (1 if male else 2), self._bits, rng.random
        if bits is not None:  # the first try nearly always succeeds: keep it short
            seq = 2 * int(random_() * 499) + parity
            key = (day - self.first) * 1000 + seq
            if not bits[key >> 3] & (1 << (key & 7)):
                bits[key >> 3] |= 1 << (key & 7)
                return self._compose(day, seq)
        while True:
            base = (day - self.first) * 1000
            for _ in range(40):
                seq = 2 * int(random_() * 499) + parity
                key = base + seq
                if bits is None:
                    if key in self._keys:
                        continue
                    self._keys.add(key)
                elif bits[key >> 3] & (1 << (key & 7)):
                    continue
                else:
                    bits[key >> 3] |= 1 << (key & 7)
                return self._compose(day, seq)
            day = day + 1 if day < self.last else self.first

    def _compose(self, day: int, seq: int) -> str:
        day_text, day_sum = self._days[day - self.first]
        seq_text, seq_sum = _SEQS[seq]
        check = ID_CHECK[(self._region_sum + day_sum + seq_sum) % 11]
        return f"{self.region}{day_text}{seq_text}{check}"


def _luhn_double(digit: int) -> int:
    return digit * 2 - 9 if digit > 4 else digit * 2


# Luhn sum of a 4-digit half of the serial: counted from the check digit, the 2nd and 4th
# digits of either half sit at odd positions and are doubled.
_CHUNK: Final = tuple(
    int(f"{n:04d}"[0]) + _luhn_double(int(f"{n:04d}"[1]))
    + int(f"{n:04d}"[2]) + _luhn_double(int(f"{n:04d}"[3]))
    for n in range(10_000)
)  # fmt: skip


class CardNumbers:
    """19-digit card accounts of one bank in one area: BIN (6) + area (4) + serial (8) + Luhn."""

    def __init__(self, bin_: str, area: str) -> None:
        if len(bin_) != 6 or len(area) != 4:
            raise ValueError("a card number starts with a 6-digit BIN and a 4-digit area code")
        self.prefix = bin_ + area
        self._prefix_sum = sum(
            _luhn_double(int(d)) if i % 2 == 0 else int(d)
            for i, d in enumerate(reversed(self.prefix))
        )

    def make(self, serial: int) -> str:
        """The card number with this 8-digit serial."""
        total = self._prefix_sum + _CHUNK[serial // 10_000] + _CHUNK[serial % 10_000]
        return f"{self.prefix}{serial:08d}{-total % 10}"
