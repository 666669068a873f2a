"""Properties of the ID and amount rules, over generated inputs (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import floor

from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from services.registry.domain.citizen_id import make
from services.registry.domain.roster_rows import Column, Finding, RosterLine
from services.registry.domain.validation_fields import (
    exact_fen,
    has_fraction_of_fen,
    is_plain_number,
    luhn_ok,
)
from services.registry.domain.validation_ids import CitizenIdReader
from services.registry.domain.validation_money import MoneyReader, yuan
from services.registry.domain.validation_rows import RowReader
from tests.unit.test_validation_rows import PROGRAMME, TODAY, card

REGIONS = ["110101", "110105", "310101", "440305", "510104", "650102", "652701"]

citizen_ids = st.builds(
    make,
    region=st.sampled_from(REGIONS),
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(0, 999),
)


@given(number=citizen_ids)
def test_every_valid_id_is_read_and_any_single_changed_character_is_rejected(
    number: str,
) -> None:
    reader = CitizenIdReader(today=TODAY)
    assert reader.read(number, False) == (
        number,
        date(*map(int, (number[6:10], number[10:12], number[12:14]))),
    )
    for index, original in enumerate(number):
        for other in "0123456789X" if index == 17 else "0123456789":
            if other != original:
                changed = number[:index] + other + number[index + 1 :]
                finding = reader.read(changed, False)
                assert isinstance(finding, Finding), changed
                assert finding.severity == "reject"


money = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("9999.9999"), places=4)


def roster_line(quantity: Decimal, standard: Decimal, amount: str) -> RosterLine:
    return RosterLine(
        2,
        {
            Column.NAME: "张三",
            Column.CITIZEN_ID: make("650102", date(1970, 5, 1), 1),
            Column.CARD_ACCOUNT: card(1),
            Column.QUANTITY: f"{quantity:f}",
            Column.STANDARD: f"{standard:f}",
            Column.AMOUNT: amount,
        },
    )


@given(quantity=money, standard=money)
def test_the_amount_must_be_quantity_times_standard_rounded_half_up_to_the_fen_exactly(
    quantity: Decimal, standard: Decimal
) -> None:
    exact = Fraction(quantity) * Fraction(standard) * 100
    fen = floor(exact + Fraction(1, 2))  # half up, in exact rational arithmetic
    reader = RowReader(replace(PROGRAMME, unit_standard=standard, max_amount_fen=None), today=TODAY)
    findings, _, _, _, row = reader.read(roster_line(quantity, standard, yuan(fen)))
    if fen == 0:
        assert [finding.rule for finding in findings] == ["amount_not_positive"]
        return
    assert findings == []
    assert row is not None
    assert row.amount_fen == fen
    for off_by_one in (fen - 1, fen + 1):
        if off_by_one > 0:
            wrong = reader.read(roster_line(quantity, standard, yuan(off_by_one)))[0]
            assert [finding.rule for finding in wrong] == ["amount_mismatch"]


amount_texts = st.one_of(
    st.from_regex(r"[0-9]{1,9}(\.[0-9]{0,5})?", fullmatch=True),
    st.from_regex(r"\.[0-9]{1,3}", fullmatch=True),
    st.sampled_from(["", "0", "0.00", "-5", "1e3", "1,000", "１２", " 12", "12 ", "NaN", "."]),
)


@given(text=amount_texts)
def test_an_amount_read_to_the_fen_is_its_exact_value(text: str) -> None:
    if is_plain_number(text) and not has_fraction_of_fen(text):
        assert exact_fen(text) == Fraction(text) * 100


@given(amount=amount_texts, quantity=amount_texts, standard=amount_texts, per_unit=st.booleans())
def test_the_short_way_through_the_money_rules_agrees_with_the_detailed_one(
    amount: str, quantity: str, standard: str, per_unit: bool
) -> None:
    """``read`` takes a shortcut for everyday rows; it must decide as ``read_in_detail``."""
    programme = PROGRAMME if per_unit else replace(PROGRAMME, unit_standard=None)
    quick_findings: list[Finding] = []
    detailed_findings: list[Finding] = []
    quick = MoneyReader(programme).read(amount, quantity, standard, quick_findings)
    detailed = MoneyReader(programme).read_in_detail(amount, quantity, standard, detailed_findings)
    assert quick == detailed
    assert quick_findings == detailed_findings


@given(number=st.from_regex(r"[0-9]{12,25}", fullmatch=True))
def test_the_luhn_check_agrees_with_stdnum(number: str) -> None:
    assert luhn_ok(number) == luhn.is_valid(number)
