"""Reading the account and number cells of a roster row: text in, a normalised value or the
Finding that says why not. Nothing is repaired: a number Excel mangled is rejected, not
guessed back. These run once per row of million-row rosters: the common case takes a few
string operations.
"""

from __future__ import annotations

from decimal import Decimal

from services.registry.domain import rule_codes as rc
from services.registry.domain.roster_rows import Finding

_DOUBLED = bytes.maketrans(b"0123456789", bytes((0, 2, 4, 6, 8, 1, 3, 5, 7, 9)))
_MAX_NUMBER_CHARS = 25


def looks_like_excel_number(text: str) -> bool:
    """Scientific notation (``4.10102E+17``) or a decimal point in an ID or account number."""
    return "." in text or "E" in text or "e" in text or "+" in text


def parse_card_account(text: str, numeric: bool) -> str | Finding:
    """The account number as 12 to 25 digits; spaces between digit groups (``6217 0000 …``)
    are dropped, anything else is rejected. Whether the number is right is the register's
    to say; ``account_typo`` explains a number the register does not hold."""
    if not numeric and 12 <= len(text) <= 25 and text.isdigit() and text.isascii():
        return text
    if not text:
        return rc.ACCOUNT_MISSING.finding()
    if numeric or looks_like_excel_number(text):
        return rc.ACCOUNT_EXCEL_NUMBER.finding()
    account = text.replace(" ", "")
    if account.isdigit() and account.isascii() and 12 <= len(account) <= 25:
        return account
    shape = f"{len(account)}位" if account.isdigit() else "含非数字字符"
    return rc.ACCOUNT_FORMAT.finding(shape=shape)


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
