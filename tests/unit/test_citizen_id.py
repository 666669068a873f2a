from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from services.registry.domain.citizen_id import check_character, is_valid, make

TODAY = date(2026, 11, 23)


def test_a_published_example_number_is_valid() -> None:
    assert check_character("11010519491231002") == "X"
    assert is_valid("11010519491231002X", today=TODAY)
    assert is_valid("11010519491231002x", today=TODAY)


@given(
    region=st.from_regex(r"[1-6][0-9]{5}", fullmatch=True),
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(0, 999),
)
def test_composed_numbers_are_valid_and_any_changed_digit_is_caught(
    region: str, born: date, sequence: int
) -> None:
    number = make(region, born, sequence)
    assert is_valid(number, today=TODAY)
    for index in range(17):  # MOD 11-2 catches every single-digit substitution
        changed = number[:index] + str((int(number[index]) + 1) % 10) + number[index + 1 :]
        assert not is_valid(changed, today=TODAY)


def test_impossible_and_future_birth_dates_are_invalid() -> None:
    assert not is_valid(make("650102", date(2026, 11, 24), 1), today=TODAY)
    assert not is_valid("650102" + "20230230" + "001" + "0", today=TODAY)


def test_wrong_length_and_letters_are_invalid() -> None:
    assert not is_valid("65010219800101123", today=TODAY)
    assert not is_valid("6501021980010112A4", today=TODAY)
