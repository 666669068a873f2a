"""Row rules of roster validation: each rule with a row it rejects and a row it lets through.

The helpers at the top (a registered person, a roster line, a run of the validator) are
shared by the other ``test_validation_*`` modules.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from string import Formatter
from typing import Any

import pytest
from stdnum import luhn

from services.registry.domain.citizen_id import check_character, make
from services.registry.domain.roster_rows import Column, RosterLine
from services.registry.domain.rule_codes import COLUMN_LABELS, catalogue
from services.registry.domain.validation import (
    RosterSummary,
    RosterValidator,
    RowVerdict,
    validate_all,
)
from services.registry.domain.validation_memory import (
    InMemoryCrossCheckLists,
    InMemoryOtherRosters,
    InMemoryRegister,
)
from services.registry.domain.validation_ports import RegisteredPerson
from services.registry.domain.validation_programme import ProgrammeRules

TODAY = date(2026, 11, 23)
BORN = date(1970, 5, 1)
VILLAGE = "650102001001"
PROGRAMME = ProgrammeRules(
    code="GDLB",
    standard_name="耕地地力保护补贴",
    aliases=frozenset({"地力补贴"}),
    unit_standard=Decimal("105.50"),
    max_amount_fen=2_000_000,
)


def citizen(n: int, *, born: date = BORN, region: str = "650102") -> str:
    return make(region, born, n)


def card(n: int) -> str:
    body = f"621700{n:012d}"
    return body + luhn.calc_check_digit(body)


def phone(n: int) -> str:
    return f"139{n:08d}"


class Bench:
    """A register, the other rosters of the round and the cross-check lists, in memory."""

    def __init__(self) -> None:
        self.register = InMemoryRegister()
        self.others = InMemoryOtherRosters()
        self.lists = InMemoryCrossCheckLists()

    def enrol(self, n: int, *, born: date = BORN, **changes: Any) -> str:
        """Register person ``n`` (the defaults match ``line(n)``); returns the citizen ID."""
        person = RegisteredPerson(
            name="张三",
            card_account=card(n),
            bank="农业银行",
            account_status="open",
            account_since=date(2020, 1, 1),
            village_code=VILLAGE,
            phone=phone(n),
            household_id=f"H{n}",
        )
        citizen_id = citizen(n, born=born)
        self.register.add(citizen_id, person._replace(**changes))
        return citizen_id

    def validator(self, programme: ProgrammeRules = PROGRAMME) -> RosterValidator:
        return RosterValidator(
            programme=programme,
            register=self.register,
            other_rosters=self.others,
            lists=self.lists,
            today=TODAY,
        )

    def run(
        self, *lines: RosterLine, programme: ProgrammeRules = PROGRAMME
    ) -> tuple[list[RowVerdict], RosterSummary]:
        return validate_all(lines, self.validator(programme))

    def one(self, line: RosterLine, programme: ProgrammeRules = PROGRAMME) -> RowVerdict:
        return self.run(line, programme=programme)[0][0]


def line(
    n: int,
    *,
    line_no: int | None = None,
    numeric: frozenset[Column] = frozenset(),
    born: date = BORN,
    **cells: str | None,
) -> RosterLine:
    """The row of person ``n`` as a clerk would type it: 10 mu at ¥105.50 = ¥1055.00.
    ``amount="…"`` changes a cell, ``amount=None`` drops the column."""
    row: dict[Column, str] = {
        Column.NAME: "张三",
        Column.CITIZEN_ID: citizen(n, born=born),
        Column.CARD_ACCOUNT: card(n),
        Column.BANK: "农业银行",
        Column.PROGRAMME: "耕地地力保护补贴",
        Column.QUANTITY: "10",
        Column.STANDARD: "105.50",
        Column.AMOUNT: "1055.00",
        Column.VILLAGE: "一组",
        Column.PHONE: phone(n),
    }
    for key, value in cells.items():
        if value is None:
            row.pop(Column(key), None)
        else:
            row[Column(key)] = value
    return RosterLine(line_no if line_no is not None else n + 1, row, numeric)


def codes(verdict: RowVerdict) -> set[str]:
    return {finding.rule for finding in verdict.findings}


@pytest.fixture
def bench() -> Bench:
    bench = Bench()
    for n in range(1, 4):
        bench.enrol(n)
    return bench


# -- a good row ---------------------------------------------------------------------------


def test_a_correct_row_of_a_registered_person_is_accepted_and_read_into_values(
    bench: Bench,
) -> None:
    verdict = bench.one(line(1))
    assert verdict.status == "accepted"
    assert verdict.findings == ()
    assert verdict.row is not None
    assert verdict.row.citizen_id == citizen(1)
    assert verdict.row.amount_fen == 105_500
    assert verdict.row.quantity == Decimal(10)
    assert verdict.row.standard == Decimal("105.50")
    assert verdict.row.born == BORN


def test_a_row_with_an_unreadable_cell_has_no_parsed_row(bench: Bench) -> None:
    verdict = bench.one(line(1, amount="abc"))
    assert verdict.status == "rejected"
    assert verdict.row is None


# -- citizen ID -----------------------------------------------------------------------------


def test_a_lower_case_x_check_character_is_read_as_upper_case() -> None:
    n = next(n for n in range(1, 200) if citizen(n).endswith("X"))
    bench = Bench()
    bench.enrol(n)
    verdict = bench.one(line(n, citizen_id=citizen(n).lower()))
    assert verdict.status == "accepted"
    assert verdict.row is not None
    assert verdict.row.citizen_id == citizen(n)


def test_a_missing_id_is_rejected(bench: Bench) -> None:
    assert codes(bench.one(line(1, citizen_id=""))) == {"citizen_id_missing"}


@pytest.mark.parametrize("text", ["65010219700501011", "6501021970050101123", "650102A97005010112"])
def test_an_id_not_of_18_characters_is_rejected(bench: Bench, text: str) -> None:
    assert codes(bench.one(line(1, citizen_id=text))) == {"citizen_id_format"}


def test_a_first_generation_15_digit_id_is_rejected_asking_for_18_digits(bench: Bench) -> None:
    verdict = bench.one(line(1, citizen_id="650102700501011"))
    assert codes(verdict) == {"citizen_id_format"}
    assert "18位" in verdict.findings[0].message


def test_an_id_with_a_wrong_check_character_is_rejected_naming_the_column(bench: Bench) -> None:
    number = citizen(1)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    verdict = bench.one(line(1, citizen_id=wrong))
    assert codes(verdict) == {"citizen_id_check_digit"}
    assert verdict.findings[0].column is Column.CITIZEN_ID
    assert verdict.findings[0].message.startswith("身份证号码：")


def test_an_id_born_on_a_date_that_does_not_exist_or_is_in_the_future_is_rejected(
    bench: Bench,
) -> None:
    impossible = "650102" + "19700230" + "011"
    impossible += check_character(impossible)
    future = make("650102", date(2026, 11, 24), 1)
    assert codes(bench.one(line(1, citizen_id=impossible))) == {"citizen_id_birth_date"}
    assert codes(bench.one(line(1, citizen_id=future))) == {"citizen_id_birth_date"}


def test_an_id_with_a_region_code_that_never_existed_is_rejected(bench: Bench) -> None:
    assert codes(bench.one(line(1, citizen_id=make("659999", BORN, 1)))) == {"citizen_id_region"}


def test_an_id_with_a_region_code_abolished_before_the_birth_is_rejected(bench: Bench) -> None:
    chongwen = make("110103", date(2012, 3, 1), 1)  # 崇文区, merged into 东城区 in 2010
    assert codes(bench.one(line(1, citizen_id=chongwen))) == {"citizen_id_region"}


def test_an_id_from_a_district_created_after_the_birth_is_valid() -> None:
    """天山区 (650102) dates from 1983; people born earlier got its code when numbered.
    stdnum's ``cn.ric`` rejects them; the roster must not."""
    bench = Bench()
    bench.enrol(1, born=date(1950, 1, 1))
    assert bench.one(line(1, born=date(1950, 1, 1))).status == "accepted"


@pytest.mark.parametrize(
    ("text", "numeric"),
    [
        ("650102197005010112", frozenset({Column.CITIZEN_ID})),
        ("6.50102E+17", frozenset()),
        ("6.50102197005010E+17", frozenset()),
        ("650102197005010000", frozenset()),  # 15 significant digits, then zeros
    ],
)
def test_an_id_excel_stored_as_a_number_is_rejected_asking_for_a_text_column(
    bench: Bench, text: str, numeric: frozenset[Column]
) -> None:
    verdict = bench.one(line(1, citizen_id=text, numeric=numeric))
    assert codes(verdict) == {"citizen_id_excel_number"}
    assert "设置为文本格式" in verdict.findings[0].message
    assert verdict.row is None


# -- name and register ------------------------------------------------------------------


def test_a_missing_name_is_rejected(bench: Bench) -> None:
    assert codes(bench.one(line(1, name=""))) == {"name_missing"}


def test_a_name_other_than_the_registers_is_rejected(bench: Bench) -> None:
    assert codes(bench.one(line(1, name="李四"))) == {"name_mismatch"}


def test_spacing_and_the_kind_of_middle_dot_in_a_name_are_not_differences() -> None:
    bench = Bench()
    bench.enrol(1, name="买买提·艾力")
    bench.enrol(2, name="张三")
    assert bench.one(line(1, name="买买提•艾力")).status == "accepted"
    assert bench.one(line(2, name="张　三")).status == "accepted"


def test_a_person_not_in_the_register_is_rejected(bench: Bench) -> None:
    verdict = bench.one(line(9))
    assert codes(verdict) == {"not_in_register"}
    assert verdict.row is not None


def test_a_person_the_register_records_as_deceased_is_rejected() -> None:
    bench = Bench()
    bench.enrol(1, deceased=True)
    assert codes(bench.one(line(1))) == {"deceased"}


# -- card account ----------------------------------------------------------------------


def test_a_missing_account_is_rejected(bench: Bench) -> None:
    assert codes(bench.one(line(1, card_account=""))) == {"card_account_missing"}


@pytest.mark.parametrize(
    ("text", "numeric"),
    [
        (card(1), frozenset({Column.CARD_ACCOUNT})),
        ("6.217E+18", frozenset()),
        (card(1)[:15] + "0000", frozenset()),
    ],
)
def test_an_account_excel_stored_as_a_number_is_rejected_asking_for_a_text_column(
    bench: Bench, text: str, numeric: frozenset[Column]
) -> None:
    verdict = bench.one(line(1, card_account=text, numeric=numeric))
    assert "card_account_excel_number" in codes(verdict)
    assert "设置为文本格式" in verdict.findings[0].message


@pytest.mark.parametrize("text", ["62170000100A", "6217", "6217-0000-1000-0000-1"])
def test_an_account_that_is_not_12_to_25_digits_is_rejected(bench: Bench, text: str) -> None:
    assert codes(bench.one(line(1, card_account=text))) == {"card_account_format"}


def test_spaces_between_digit_groups_of_an_account_are_allowed(bench: Bench) -> None:
    spaced = " ".join(card(1)[i : i + 4] for i in range(0, 19, 4))
    assert bench.one(line(1, card_account=spaced)).status == "accepted"


def test_a_mistyped_bank_card_number_is_rejected_for_its_check_digit(bench: Bench) -> None:
    typo = card(1)[:-1] + str((int(card(1)[-1]) + 1) % 10)
    assert codes(bench.one(line(1, card_account=typo))) == {"card_account_check_digit"}


def test_an_account_other_than_the_one_registered_for_the_person_is_rejected(
    bench: Bench,
) -> None:
    assert codes(bench.one(line(1, card_account=card(77)))) == {"card_account_mismatch"}


def test_an_account_the_person_never_declared_is_rejected() -> None:
    bench = Bench()
    bench.enrol(1, card_account=None)
    assert codes(bench.one(line(1))) == {"card_account_not_declared"}


def test_an_account_the_register_holds_is_taken_even_if_not_a_luhn_card_number() -> None:
    bench = Bench()
    passbook = "6217000010000000019"  # fails Luhn, but it is the account the bank opened
    bench.enrol(1, card_account=passbook)
    assert bench.one(line(1, card_account=passbook)).status == "accepted"


@pytest.mark.parametrize(
    ("status", "code", "verdict"),
    [
        ("closed", "card_account_closed", "rejected"),
        ("frozen", "card_account_frozen", "rejected"),
        ("unverified", "card_account_unverified", "warned"),
        ("open", None, "accepted"),
    ],
)
def test_only_an_open_account_is_paid_without_question(
    status: str, code: str | None, verdict: str
) -> None:
    bench = Bench()
    bench.enrol(1, account_status=status)
    result = bench.one(line(1))
    assert result.status == verdict
    assert codes(result) == ({code} if code else set())


# -- amount, quantity, standard, programme ----------------------------------------------


def test_an_amount_other_than_quantity_times_standard_is_rejected_with_the_right_amount(
    bench: Bench,
) -> None:
    verdict = bench.one(line(1, amount="1055.01"))
    assert codes(verdict) == {"amount_mismatch"}
    assert "1055.00" in verdict.findings[0].message


def test_the_product_is_rounded_half_up_to_the_fen(bench: Bench) -> None:
    # 0.03 mu × 105.50 = 3.165: half up gives 3.17 (half to even would give 3.16)
    assert bench.one(line(1, quantity="0.03", amount="3.17")).status == "accepted"
    assert codes(bench.one(line(1, quantity="0.03", amount="3.16"))) == {"amount_mismatch"}


def test_a_missing_amount_is_rejected(bench: Bench) -> None:
    assert codes(bench.one(line(1, amount=""))) == {"amount_missing"}


@pytest.mark.parametrize("text", ["1,055.00", "1055元", "abc", "1e3", "NaN", "１０５５"])
def test_an_amount_that_is_not_a_plain_number_is_rejected(bench: Bench, text: str) -> None:
    assert codes(bench.one(line(1, amount=text))) == {"amount_not_number"}


@pytest.mark.parametrize("text", ["-1055.00", "0", "0.00"])
def test_a_negative_or_zero_amount_is_rejected(bench: Bench, text: str) -> None:
    assert "amount_not_positive" in codes(bench.one(line(1, amount=text)))


def test_an_amount_with_a_fraction_of_a_fen_is_rejected(bench: Bench) -> None:
    assert codes(bench.one(line(1, amount="1055.001"))) == {"amount_fraction_of_fen"}
    assert bench.one(line(1, amount="1055.000")).status == "accepted"


def test_amounts_outside_the_per_person_limits_are_rejected(bench: Bench) -> None:
    programme = replace(PROGRAMME, min_amount_fen=200_000, max_amount_fen=1_000_000)
    low = bench.one(line(1), programme)
    high = bench.one(line(1, quantity="100", amount="10550.00"), programme)
    inside = bench.one(line(1, quantity="50", amount="5275.00"), programme)
    assert codes(low) == {"amount_below_min"}
    assert "2000.00" in low.findings[0].message
    assert codes(high) == {"amount_above_max"}
    assert inside.status == "accepted"


def test_a_missing_quantity_is_rejected_when_the_programme_pays_per_unit(bench: Bench) -> None:
    assert codes(bench.one(line(1, quantity=""))) == {"quantity_missing"}
    per_head = replace(PROGRAMME, quantity_required=False)
    assert bench.one(line(1, quantity=None, amount="105.50"), per_head).status == "accepted"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("十亩", "quantity_not_number"),
        ("0", "quantity_not_positive"),
        ("-2", "quantity_not_positive"),
    ],
)
def test_a_quantity_that_is_not_a_positive_number_is_rejected(
    bench: Bench, text: str, code: str
) -> None:
    assert codes(bench.one(line(1, quantity=text))) == {code}


def test_a_standard_other_than_the_programmes_is_rejected(bench: Bench) -> None:
    verdict = bench.one(line(1, standard="100", amount="1000.00"))
    assert "standard_mismatch" in codes(verdict)
    assert "105.50" in verdict.findings[0].message


def test_the_programmes_standard_may_be_written_with_fewer_decimals(bench: Bench) -> None:
    assert bench.one(line(1, standard="105.5")).status == "accepted"
    assert bench.one(line(1, standard=None)).status == "accepted"


def test_a_standard_that_is_not_a_number_is_rejected(bench: Bench) -> None:
    assert codes(bench.one(line(1, standard="105.5元/亩"))) == {"standard_not_number"}


def test_a_programme_paid_per_person_checks_the_limits_and_any_product_given(
    bench: Bench,
) -> None:
    per_person = replace(PROGRAMME, unit_standard=None, max_amount_fen=50_000)
    assert bench.one(line(1, quantity=None, standard=None, amount="300"), per_person).status == (
        "accepted"
    )
    assert codes(bench.one(line(1, quantity=None, standard=None, amount="600"), per_person)) == {
        "amount_above_max"
    }
    wrong_product = line(1, quantity="2", standard="150", amount="400.00")
    assert codes(bench.one(wrong_product, per_person)) == {"amount_mismatch"}


@pytest.mark.parametrize("text", ["耕地地力保护补贴", "地力补贴", " 耕地地力 保护补贴 ", ""])
def test_the_programme_column_may_name_the_programme_or_an_alias_or_be_empty(
    bench: Bench, text: str
) -> None:
    assert bench.one(line(1, programme=text)).status == "accepted"


def test_a_row_of_another_programme_is_rejected(bench: Bench) -> None:
    verdict = bench.one(line(1, programme="农机购置补贴"))
    assert codes(verdict) == {"programme_mismatch"}
    assert "耕地地力保护补贴" in verdict.findings[0].message


def test_every_problem_of_a_row_is_reported_not_only_the_first(bench: Bench) -> None:
    verdict = bench.one(line(1, name="", amount="abc", programme="别的补贴"))
    assert codes(verdict) == {"name_missing", "amount_not_number", "programme_mismatch"}


# -- the catalogue ---------------------------------------------------------------------


def test_rule_codes_are_unique_and_messages_name_their_column() -> None:
    rules = catalogue()
    assert len({rule.code for rule in rules}) == len(rules)
    for rule in rules:
        finding = rule.finding(**dict.fromkeys(_placeholders(rule.template), "1"))
        if rule.column is not None:
            assert finding.message.startswith(COLUMN_LABELS[rule.column] + "：")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}
