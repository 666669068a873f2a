"""Warning rules (预警规则): they flag a row for a human look and never stop it being paid.

``RowWarnings`` needs only the row, the register and the clock. ``MedianWatch`` needs the
whole roster (an amount far above the township median), so it collects the payable amounts
as the rows pass and names the outliers at the end.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from services.registry.domain import rule_codes as rc
from services.registry.domain.roster_rows import Finding
from services.registry.domain.validation_money import yuan
from services.registry.domain.validation_ports import RegisteredPerson
from services.registry.domain.validation_programme import WarningRules

_CENT = Decimal("0.01")


def years_before(today: date, years: int) -> date:
    """The same day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def full_years(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class RowWarnings:
    """Age over the limit, a card account declared or changed recently, a large quantity."""

    def __init__(self, rules: WarningRules, *, today: date) -> None:
        self._rules = rules
        self._today = today
        self._born_by = (
            date.min if rules.age_above is None else years_before(today, rules.age_above + 1)
        )
        days = rules.account_changed_within_days
        self._changed_after = date.max if days is None else today - timedelta(days=days)

    def check(
        self,
        born: date,
        person: RegisteredPerson | None,
        card_account: str | None,
        quantity: Decimal | None,
        findings: list[Finding],
    ) -> None:
        """Warnings only: ``date.min`` and ``date.max`` stand for a rule turned off."""
        rules = self._rules
        if born <= self._born_by:
            age = full_years(born, self._today)
            findings.append(rc.AGED_OVER.finding(age=age, limit=rules.age_above))
        if person is not None:
            since = person.account_since
            recent = since is not None and since > self._changed_after
            if recent and card_account == person.card_account:
                days = rules.account_changed_within_days
                findings.append(rc.ACCOUNT_RECENTLY_CHANGED.finding(since=since, days=days))
        limit = rules.max_quantity
        if limit is not None and quantity is not None and quantity > limit:
            findings.append(rc.QUANTITY_ABOVE_MAX.finding(quantity=quantity, limit=limit))


class MedianWatch:
    """Payable amounts per village, compared per township (the first 9 digits of the village
    code) at the end; ``outliers`` names those above ``factor`` × median.

    Eight bytes per amount and per row number: a million rows hold 16 MB.
    """

    def __init__(self, rules: WarningRules) -> None:
        self._factor = rules.median_factor
        self._min_rows = max(rules.median_min_rows, 1)
        self._villages: dict[str, tuple[array[int], array[int]]] = {}

    def add(self, village_code: str, ordinal: int, amount_fen: int) -> None:
        if self._factor is None:
            return
        entry = self._villages.get(village_code)
        if entry is None:
            entry = self._villages[village_code] = (array("q"), array("q"))
        entry[0].append(amount_fen)
        entry[1].append(ordinal)

    def outliers(self) -> Iterator[tuple[int, Finding]]:
        """(ordinal, warning) for every amount above the limit, township by township."""
        factor = self._factor
        if factor is None:
            return
        townships: dict[str, list[tuple[array[int], array[int]]]] = {}
        for village_code, entry in self._villages.items():
            townships.setdefault(village_code[:9], []).append(entry)
        for entries in townships.values():
            amounts = array("q")
            for village_amounts, _ in entries:
                amounts.extend(village_amounts)
            if len(amounts) < self._min_rows:
                continue
            median = _median(amounts)
            above = int(factor * median)  # amounts are whole fen: above the floor is above
            shown = (median / 100).quantize(_CENT, ROUND_HALF_UP)
            for village_amounts, ordinals in entries:
                for amount, ordinal in zip(village_amounts, ordinals, strict=True):
                    if amount > above:
                        finding = rc.AMOUNT_ABOVE_MEDIAN.finding(
                            amount=yuan(amount), median=shown, factor=factor
                        )
                        yield ordinal, finding


def _median(values: array[int]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return Decimal(ordered[middle - 1] + ordered[middle]) / 2
