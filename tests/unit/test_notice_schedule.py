"""An administrator's entry of a year's working-day schedule: checked against the shape every
official schedule has, refused for years the calendar package already knows."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.events import WorkingDayScheduleEntered
from contracts.refusals import Refused
from services.publicity.domain.schedule import EnterSchedule, decide_schedule, package_knows

# 2099: Thu 1.1 off; Mon-Fri 2.2-2.6 off for the Spring Festival, Sat 2.7 worked instead
HOLIDAYS = (
    date(2099, 2, 6),
    date(2099, 2, 2),
    date(2099, 2, 3),
    date(2099, 2, 4),
    date(2099, 1, 1),
)
WORKDAYS = (date(2099, 2, 7),)
SOURCE = "国办发明电〔2098〕9号"


def entry(**changes: object) -> EnterSchedule:
    values: dict[str, object] = {
        "year": 2099,
        "holidays": HOLIDAYS,
        "workdays": WORKDAYS,
        "source": SOURCE,
    }
    return EnterSchedule(**{**values, **changes})  # type: ignore[arg-type]


def test_a_schedule_is_recorded_sorted_and_entering_it_again_records_nothing() -> None:
    (event,) = decide_schedule(entry(), None)
    assert isinstance(event, WorkingDayScheduleEntered)
    assert event.holidays == tuple(sorted(HOLIDAYS))
    assert event.workdays == WORKDAYS
    assert decide_schedule(entry(), event) == []


def test_a_corrected_schedule_replaces_the_earlier_entry() -> None:
    (first,) = decide_schedule(entry(), None)
    assert isinstance(first, WorkingDayScheduleEntered)
    (second,) = decide_schedule(entry(workdays=()), first)
    assert isinstance(second, WorkingDayScheduleEntered)
    assert second.workdays == ()


def test_the_package_years_are_known_and_later_ones_are_not() -> None:
    assert package_knows(2025)
    assert not package_knows(2099)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"year": 2025}, "working_day_schedule_known"),
        ({"year": 2101}, "invalid_year"),
        ({"holidays": ()}, "schedule_without_holidays"),
        ({"source": "  "}, "schedule_source_missing"),
        ({"holidays": (*HOLIDAYS, date(2098, 12, 31))}, "schedule_date_outside_year"),
        ({"holidays": (*HOLIDAYS, date(2099, 1, 3))}, "holiday_on_weekend"),
        ({"workdays": (date(2099, 2, 9),)}, "workday_on_weekday"),
        ({"workdays": (date(2099, 2, 7), date(2099, 2, 7))}, "schedule_day_twice"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_schedule_that_cannot_be_right_is_refused_with_a_reason(
    changes: dict[str, object], code: str
) -> None:
    with pytest.raises(Refused) as refused:
        decide_schedule(entry(**changes), None)
    assert refused.value.code == code
    assert refused.value.message
