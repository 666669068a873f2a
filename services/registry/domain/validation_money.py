"""The money rules of a row: the amount a positive number of yuan to the fen, within the
per-person limits, equal to quantity × standard rounded half up to the fen; the standard the
programme's. Decimal or integer arithmetic only, never float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

from services.registry.domain import rule_codes as rc
from services.registry.domain.roster_rows import Finding
from services.registry.domain.validation_fields import (
    exact_fen,
    has_fraction_of_fen,
    is_negative_number,
    is_plain_number,
    parse_decimal,
)
from services.registry.domain.validation_programme import ProgrammeRules

Money = tuple[Decimal | None, Decimal, int]
"""(quantity or None, standard in yuan per unit, amount in fen)."""

_EXACT = Context(prec=60, rounding=ROUND_HALF_UP)
"""Room for the product of two 25-character numbers: the multiplication is never rounded."""
_ONE = Decimal(1)
_POWERS = tuple(10**k for k in range(64))
_HALVES = (0, *(5 * 10 ** (k - 1) for k in range(1, 64)))


def yuan(fen: int) -> str:
    """An amount in fen written in yuan with two decimals (``123456`` → ``1234.56``)."""
    return f"{fen // 100}.{fen % 100:02d}"


def quantity_times_standard_fen(quantity: Decimal, standard: Decimal) -> int:
    """quantity × standard in fen, computed exactly, rounded half up to the fen."""
    product = _EXACT.multiply(quantity, standard).scaleb(2, _EXACT)
    return int(product.to_integral_value(ROUND_HALF_UP, _EXACT))


def _scaled(standard: Decimal) -> tuple[Decimal, int, int] | None:
    """The standard, and its digits as an integer with the count of decimals; None for a
    standard too fine for the short way (it then goes the detailed way)."""
    _, digits, exponent = standard.as_tuple()
    if not isinstance(exponent, int) or exponent < -30:
        return None
    whole = int("".join(map(str, digits)) or "0")
    return (standard, whole, -exponent) if exponent < 0 else (standard, whole * 10**exponent, 0)


def _number(text: str, not_number: rc.Rule, not_positive: rc.Rule | None) -> Decimal | Finding:
    value = parse_decimal(text)
    if value is None:
        if not_positive is not None and is_negative_number(text):
            return not_positive.finding()
        return not_number.finding()
    if not_positive is not None and not value:
        return not_positive.finding()
    return value


class MoneyReader:
    """The money cells of rows of one programme."""

    def __init__(self, programme: ProgrammeRules) -> None:
        self._programme = programme
        self._standards: dict[str, tuple[Decimal | None, Finding | None]] = {}
        self._good_standards: dict[str, tuple[Decimal, int, int]] = {}
        scaled = None if programme.unit_standard is None else _scaled(programme.unit_standard)
        if scaled is not None:
            self._good_standards[""] = scaled
        self._min_fen = max(programme.min_amount_fen, 1)  # never a zero amount
        self._max_fen = programme.max_amount_fen if programme.max_amount_fen is not None else -1

    def read(
        self, amount: str, quantity: str, standard: str, findings: list[Finding]
    ) -> Money | None:
        """The money of the row, or None when a cell cannot be read (with the findings).

        The everyday row (plain amount and quantity, a standard already found right) is
        checked in integer arithmetic; any other goes through ``read_in_detail``, which
        decides the same and says what is wrong.
        """
        known = self._good_standards.get(standard)
        whole, _, decimals = amount.partition(".")
        units_whole, _, units_decimals = quantity.partition(".")
        fen_digits, units_digits = whole + decimals, units_whole + units_decimals
        if (
            known is None
            or not whole
            or len(whole) > 20
            or len(decimals) > 2
            or not units_digits
            or len(quantity) > 25
            or not (fen_digits + units_digits).isdigit()
            or not (fen_digits + units_digits).isascii()
        ):
            return self.read_in_detail(amount, quantity, standard, findings)
        fen, units = int(fen_digits) * _POWERS[2 - len(decimals)], int(units_digits)
        if not units or fen < self._min_fen or 0 <= self._max_fen < fen:
            return self.read_in_detail(amount, quantity, standard, findings)
        value, standard_units, standard_decimals = known
        product, shift = units * standard_units, len(units_decimals) + standard_decimals - 2
        if shift > 0:
            expected = (product + _HALVES[shift]) // _POWERS[shift]  # half up, in integers
        else:
            expected = product * _POWERS[-shift]
        if expected != fen:
            findings.append(rc.AMOUNT_MISMATCH.finding(expected=yuan(expected), actual=yuan(fen)))
        return Decimal(quantity), value, fen

    def read_in_detail(
        self, amount_text: str, quantity_text: str, standard_text: str, findings: list[Finding]
    ) -> Money | None:
        amount = self._amount(amount_text, findings)
        quantity = self._quantity(quantity_text, findings)
        standard = self._standard(standard_text, findings)
        if amount is None or isinstance(quantity, Finding) or isinstance(standard, Finding):
            return None
        if standard is None:
            return quantity, Decimal(amount) / 100, amount
        expected = quantity_times_standard_fen(_ONE if quantity is None else quantity, standard)
        if expected != amount:
            findings.append(
                rc.AMOUNT_MISMATCH.finding(expected=yuan(expected), actual=yuan(amount))
            )
        return quantity, standard, amount

    def _amount(self, text: str, findings: list[Finding]) -> int | None:
        if not text:
            findings.append(rc.AMOUNT_MISSING.finding())
            return None
        if not is_plain_number(text):
            negative = is_negative_number(text)
            findings.append(
                (rc.AMOUNT_NOT_POSITIVE if negative else rc.AMOUNT_NOT_NUMBER).finding()
            )
            return None
        if not text.strip("0."):
            findings.append(rc.AMOUNT_NOT_POSITIVE.finding())
            return None
        if has_fraction_of_fen(text):
            findings.append(rc.AMOUNT_FRACTION_OF_FEN.finding())
            return None
        fen = exact_fen(text)
        programme = self._programme
        if fen < programme.min_amount_fen:
            findings.append(rc.AMOUNT_BELOW_MIN.finding(limit=yuan(programme.min_amount_fen)))
        elif programme.max_amount_fen is not None and fen > programme.max_amount_fen:
            findings.append(rc.AMOUNT_ABOVE_MAX.finding(limit=yuan(programme.max_amount_fen)))
        return fen

    def _quantity(self, text: str, findings: list[Finding]) -> Decimal | Finding | None:
        if not text:
            programme = self._programme
            if programme.unit_standard is not None and programme.quantity_required:
                missing = rc.QUANTITY_MISSING.finding()
                findings.append(missing)
                return missing
            return None
        quantity = _number(text, rc.QUANTITY_NOT_NUMBER, rc.QUANTITY_NOT_POSITIVE)
        if isinstance(quantity, Finding):
            findings.append(quantity)
        return quantity

    def _standard(self, text: str, findings: list[Finding]) -> Decimal | Finding | None:
        """The programme's unit standard (a different one in the row is rejected), else the
        row's; None when neither gives one. Rows mostly repeat one standard: remembered."""
        if not text:
            return self._programme.unit_standard
        known = self._standards.get(text)
        if known is None:
            known = self._judge_standard(text)
            if len(self._standards) < 1000:
                self._standards[text] = known
                scaled = _scaled(known[0]) if known[0] is not None and known[1] is None else None
                if scaled is not None:
                    self._good_standards[text] = scaled
        value, finding = known
        if finding is not None:
            findings.append(finding)
        return finding if value is None else value

    def _judge_standard(self, text: str) -> tuple[Decimal | None, Finding | None]:
        """(the standard to compute with, the finding on the cell)."""
        standard = _number(text, rc.STANDARD_NOT_NUMBER, None)
        if isinstance(standard, Finding):
            return None, standard
        expected = self._programme.unit_standard
        if expected is not None and standard != expected:
            return expected, rc.STANDARD_MISMATCH.finding(expected=expected)
        return standard, None
