"""Reading one cell of a roster row: text in, a normalised value or the Finding that says why
not. Nothing is repaired: a number Excel mangled is rejected, not guessed back.

These run once per row of million-row rosters, so the common case takes a few string
operations and the expensive lookups (stdnum's region table, dates) are cached.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from stdnum import numdb

from services.registry.domain import rule_codes as rc
from services.registry.domain.roster_rows import Finding

_CHECK_BY_REMAINDER = "".join(
    "X" if (1 - 2 * r) % 11 == 10 else str((1 - 2 * r) % 11) for r in range(11)
)
"""GB 11643 MOD 11-2 check character by ``int(first17, 13) % 11`` (13 ≡ 2 mod 11)."""
_DOUBLED = bytes.maketrans(b"0123456789", bytes((0, 2, 4, 6, 8, 1, 3, 5, 7, 9)))
_MAX_NUMBER_CHARS = 25
_CACHE_LIMIT = 100_000


def looks_like_excel_number(text: str) -> bool:
    """Scientific notation (``4.10102E+17``) or a decimal point in an ID or account number."""
    return "." in text or "E" in text or "e" in text or "+" in text


class CitizenIdReader:
    """Reads citizen IDs (GB 11643) as of ``today``; remembers the birth dates and region
    codes it has judged, since a township's rows share most of them."""

    def __init__(self, *, today: date) -> None:
        self._today = today
        self._born: dict[str, date | None] = {}
        self._region: dict[str, bool] = {}

    def read(self, text: str, numeric: bool) -> tuple[str, date] | Finding:
        """The normalised 18-character ID (``X`` upper case) and the birth date in it."""
        if not text:
            return rc.CITIZEN_ID_MISSING.finding()
        if numeric or looks_like_excel_number(text):
            return rc.CITIZEN_ID_EXCEL_NUMBER.finding()
        number = text.upper()
        first17 = number[:17]
        if len(number) != 18 or not (number.isascii() and first17.isdigit()):
            return rc.CITIZEN_ID_FORMAT.finding(length=len(number))
        if _CHECK_BY_REMAINDER[int(first17, 13) % 11] != number[17]:
            if number.endswith("000"):  # Excel kept 15 significant digits
                return rc.CITIZEN_ID_EXCEL_NUMBER.finding()
            return rc.CITIZEN_ID_CHECK_DIGIT.finding()
        key = number[6:14]
        born = self._born[key] if key in self._born else self._remember_birth(key)
        if born is None:
            return rc.CITIZEN_ID_BIRTH_DATE.finding()
        key = number[:10]
        in_use = self._region[key] if key in self._region else self._remember_region(key)
        if not in_use:
            return rc.CITIZEN_ID_REGION.finding()
        return number, born

    def _remember_birth(self, yyyymmdd: str) -> date | None:
        """A real date from 1880 to today, or None."""
        try:
            born: date | None = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
        except ValueError:
            born = None
        if born is not None and not (born.year >= 1880 and born <= self._today):
            born = None
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


def parse_card_account(text: str, numeric: bool) -> str | Finding:
    """The account number as 12 to 25 digits; spaces between digit groups (``6217 0000 …``)
    are dropped, anything else is rejected. Whether the number is right is the register's
    to say; ``account_typo`` explains a number the register does not hold."""
    if not text:
        return rc.ACCOUNT_MISSING.finding()
    if numeric or looks_like_excel_number(text):
        return rc.ACCOUNT_EXCEL_NUMBER.finding()
    account = text.replace(" ", "") if " " in text else text
    if not (account.isascii() and account.isdigit() and 12 <= len(account) <= 25):
        shape = f"{len(account)}位" if account.isdigit() else "含非数字字符"
        return rc.ACCOUNT_FORMAT.finding(shape=shape)
    return account


def account_typo(account: str) -> Finding | None:
    """A bank card number (16 to 19 digits) failing Luhn: mistyped, or cut to 15
    significant digits by Excel."""
    if not 16 <= len(account) <= 19 or luhn_ok(account):
        return None
    if not account[15:].strip("0"):
        return rc.ACCOUNT_EXCEL_NUMBER.finding()
    return rc.ACCOUNT_CHECK_DIGIT.finding()


def luhn_ok(digits: str) -> bool:
    """The Luhn check of a string of ASCII digits (same answer as ``stdnum.luhn``)."""
    raw = digits.encode()
    kept, doubled = raw[-1::-2], raw[-2::-2].translate(_DOUBLED)
    return (sum(kept) - 48 * len(kept) + sum(doubled)) % 10 == 0


def is_plain_number(text: str) -> bool:
    """A non-negative decimal number as clerks write it: ``12``, ``12.5``, ``0.75``.

    Signs, exponents, thousands separators, units, full-width digits and anything longer
    than 25 characters are not plain numbers.
    """
    return len(text) <= _MAX_NUMBER_CHARS and text.isascii() and text.replace(".", "", 1).isdigit()


def parse_decimal(text: str) -> Decimal | None:
    """The value of a plain number, or None."""
    return Decimal(text) if is_plain_number(text) else None


def is_negative_number(text: str) -> bool:
    return text.startswith("-") and parse_decimal(text[1:]) is not None


def has_fraction_of_fen(text: str) -> bool:
    """More than two decimals that are not all zeros (``12.345``; ``12.500`` is fine)."""
    dot = text.find(".")
    return dot >= 0 and bool(text[dot + 3 :].strip("0"))


def exact_fen(text: str) -> int:
    """Fen of a plain number (``is_plain_number``) without a fraction of a fen: ``12`` → 1200,
    ``12.5`` → 1250, ``12.500`` → 1250. Exact, no float."""
    whole, _, decimals = text.partition(".")
    return int(whole or "0") * 100 + int(decimals[:2].ljust(2, "0"))


def quick_fen(text: str) -> int | None:
    """Fen of an amount in its everyday shape (``1200``, ``1200.5``, ``1200.50``); None for
    any other shape, which the detailed rules then judge. Only a shortcut: wherever it gives
    a number, ``exact_fen`` gives the same."""
    whole, dot, decimals = text.partition(".")
    if not (whole.isdigit() and whole.isascii()) or len(whole) > 20:
        return None
    if not dot:
        return int(whole) * 100
    if not (0 < len(decimals) <= 2 and decimals.isdigit() and decimals.isascii()):
        return None
    return int(whole) * 100 + int(decimals) * (10 if len(decimals) == 1 else 1)
