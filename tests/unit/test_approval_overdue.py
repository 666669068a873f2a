"""A waiting level is overdue after more than N Chinese working days, counted in China's
calendar: official holidays pause the count and make-up working days count (2025 National
Day: 10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.working_days import ScheduleUnknown, WorkingCalendar, YearSchedule, calendar_with
from services.approval.domain.overdue import Waiting, waiting

PACKAGE = WorkingCalendar()


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 9, 30), Waiting(0, False)),
        (date(2025, 10, 8), Waiting(0, False)),
        (date(2025, 10, 9), Waiting(1, False)),
        (date(2025, 10, 10), Waiting(2, False)),
        (date(2025, 10, 11), Waiting(3, True)),
        (date(2025, 10, 12), Waiting(3, True)),
    ],
)
def test_national_day_pauses_the_count_and_the_make_up_saturday_counts(
    today: date, expected: Waiting
) -> None:
    assert waiting(date(2025, 9, 30), today, 2, PACKAGE) == expected


def test_the_make_up_sunday_before_national_day_counts() -> None:
    entered = date(2025, 9, 26)  # a Friday
    assert waiting(entered, date(2025, 9, 28), 2, PACKAGE) == Waiting(1, False)
    assert waiting(entered, date(2025, 9, 30), 2, PACKAGE) == Waiting(3, True)


def test_without_holidays_the_same_wait_would_be_overdue_during_the_holiday() -> None:
    weekdays_only = calendar_with([YearSchedule(2025, frozenset(), frozenset())])
    assert waiting(date(2025, 9, 30), date(2025, 10, 3), 2, weekdays_only) == Waiting(3, True)


def test_a_year_the_package_lacks_counts_once_its_schedule_is_entered() -> None:
    with pytest.raises(ScheduleUnknown):
        waiting(date(2027, 9, 30), date(2027, 10, 4), 2, PACKAGE)
    entered = calendar_with(
        [YearSchedule(2027, frozenset({date(2027, 10, 1), date(2027, 10, 4)}), frozenset())]
    )
    assert waiting(date(2027, 9, 30), date(2027, 10, 5), 2, entered) == Waiting(1, False)
