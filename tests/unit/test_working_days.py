"""Working days for the public notice: weekends, official holidays and make-up working
days, and a year nobody has published refused rather than guessed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.working_days import (
    ScheduleUnknown,
    WorkingCalendar,
    YearSchedule,
    calendar_with,
)

CALENDAR = WorkingCalendar()


def test_national_day_week_is_not_counted_and_the_make_up_saturday_is() -> None:
    # 2025: 10.1-10.8 off; Sunday 9.28 and Saturday 10.11 are make-up working days
    assert not CALENDAR.is_working_day(date(2025, 10, 3))
    assert CALENDAR.is_working_day(date(2025, 9, 28))
    assert CALENDAR.is_working_day(date(2025, 10, 11))


def test_five_working_days_posted_before_national_day_end_after_the_holiday() -> None:
    # posted Tue 2025-09-30: 5 working days are 10.9, 10.10, 10.11 (make-up), 10.13, 10.14
    assert CALENDAR.add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)


def test_an_ordinary_week_is_five_working_days() -> None:
    # posted Monday 2025-06-09: Tue-Fri and the next Monday
    assert CALENDAR.add_working_days(date(2025, 6, 9), 5) == date(2025, 6, 16)
    assert CALENDAR.working_days_between(date(2025, 6, 9), date(2025, 6, 15)) == 5


def test_a_year_the_package_does_not_know_is_refused_not_guessed() -> None:
    with pytest.raises(ScheduleUnknown) as unknown:
        CALENDAR.add_working_days(date(2099, 3, 2), 5)
    assert unknown.value.code == "working_day_schedule_unknown"
    assert "2099" in unknown.value.message


def test_an_entered_schedule_makes_a_new_year_computable() -> None:
    spring = {date(2099, 2, 2) + timedelta(days=n) for n in range(5)}  # a weekday holiday week
    schedule = YearSchedule(2099, frozenset(spring), frozenset({date(2099, 2, 7)}))
    calendar = calendar_with([schedule])
    assert not calendar.is_working_day(date(2099, 2, 3))
    assert calendar.is_working_day(date(2099, 2, 7))  # a Saturday, made a working day
    # posted Fri 1.30: Sat 2.7 and Mon-Thu 2.9-2.12
    assert calendar.add_working_days(date(2099, 1, 30), 5) == date(2099, 2, 12)


def test_a_schedule_with_a_day_of_another_year_or_both_kinds_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        YearSchedule(2099, frozenset({date(2098, 12, 31)}), frozenset())
    with pytest.raises(ValueError, match="both"):
        YearSchedule(2099, frozenset({date(2099, 5, 1)}), frozenset({date(2099, 5, 1)}))


@given(
    start=st.dates(min_value=date(2010, 1, 1), max_value=date(2025, 11, 30)),
    count=st.integers(min_value=1, max_value=15),
)
def test_the_end_date_is_exactly_count_working_days_later(start: date, count: int) -> None:
    end = CALENDAR.add_working_days(start, count)
    assert CALENDAR.is_working_day(end)
    assert CALENDAR.working_days_between(start + timedelta(days=1), end) == count
