"""Reading the citizen ID cell (公民身份号码, GB 11643-1999) of a roster row.

Eighteen characters: six of region code, eight of birth date, three of sequence, and the
MOD 11-2 check character (``X`` for 10). The region code is looked up in python-stdnum's
table of division codes. Birth dates and region codes are remembered per reader: a
township's rows share most of them, and a million rows pass through.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from stdnum import numdb

from services.registry.domain import rule_codes as rc
from services.registry.domain.roster_rows import Finding
from services.registry.domain.validation_fields import looks_like_excel_number

_CHECK_BY_REMAINDER = "".join(
    "X" if (1 - 2 * r) % 11 == 10 else str((1 - 2 * r) % 11) for r in range(11)
)
"""GB 11643 MOD 11-2 check character by ``int(first17, 13) % 11`` (13 ≡ 2 mod 11)."""
_CACHE_LIMIT = 100_000
_NOT_A_DATE = date.min
"""Remembered for a birth date that is not a real date (kept apart from a missing entry)."""


def _malformed_id(number: str, numeric: bool) -> Finding:
    if not number:
        return rc.CITIZEN_ID_MISSING.finding()
    if numeric or looks_like_excel_number(number):
        return rc.CITIZEN_ID_EXCEL_NUMBER.finding()
    return rc.CITIZEN_ID_FORMAT.finding(length=len(number))


class CitizenIdReader:
    """Reads citizen IDs (GB 11643) as of ``today``; remembers the birth dates and region
    codes it has judged, since a township's rows share most of them."""

    def __init__(self, *, today: date) -> None:
        self._today = today
        self._born: dict[str, date] = {}
        self._region: dict[str, bool] = {}

    def read(self, text: str, numeric: bool) -> tuple[str, date] | Finding:
        """The normalised 18-character ID (``X`` upper case) and the birth date in it."""
        number = text.upper()
        first17 = number[:17]
        if numeric or len(number) != 18 or not (first17.isdigit() and number.isascii()):
            return _malformed_id(number, numeric)
        if _CHECK_BY_REMAINDER[int(first17, 13) % 11] != number[17]:
            if number.endswith("000"):  # Excel kept 15 significant digits
                return rc.CITIZEN_ID_EXCEL_NUMBER.finding()
            return rc.CITIZEN_ID_CHECK_DIGIT.finding()
        born = self._born.get(number[6:14]) or self._remember_birth(number[6:14])
        if born is _NOT_A_DATE:
            return rc.CITIZEN_ID_BIRTH_DATE.finding()
        in_use = self._region.get(number[:10])
        if in_use is None:
            in_use = self._remember_region(number[:10])
        if not in_use:
            return rc.CITIZEN_ID_REGION.finding()
        return number, born

    def _remember_birth(self, yyyymmdd: str) -> date:
        """A real date from 1880 to today, or ``_NOT_A_DATE``."""
        try:
            born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
        except ValueError:
            born = _NOT_A_DATE
        if born.year < 1880 or born > self._today:
            born = _NOT_A_DATE
        if len(self._born) >= _CACHE_LIMIT:
            self._born.clear()
        self._born[yyyymmdd] = born
        return born

    def _remember_region(self, region_and_year: str) -> bool:
        in_use = region_in_use(region_and_year[:6], int(region_and_year[6:]), self._today.year)
        if len(self._region) >= _CACHE_LIMIT:
            self._region.clear()
        self._region[region_and_year] = in_use
        return in_use


@lru_cache(maxsize=4096)
def region_in_use(region: str, from_year: int, to_year: int) -> bool:
    """Whether stdnum's table of division codes has ``region`` in use at some time between
    the birth year and now.

    A number is assigned at or after birth with the code of the place of registration at
    that time, so a code created after the birth year is normal (everyone in Ürümqi's
    Tianshan district 650102, created 1983, born before 1983); stdnum's own ``cn.ric``
    check asks for the code at the birth year and would reject them.
    """
    parts = numdb.get("cn/loc").info(region)
    counties = next((props["county"] for _, props in parts if "county" in props), None)
    if counties is None:
        return False
    for county in counties.split(","):
        if not county.startswith("["):
            return True
        start, _, end = county[1:].partition("]")[0].partition("-")
        if (not end or int(end) >= from_year) and (not start or int(start) <= to_year):
            return True
    return False
