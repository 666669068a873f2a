"""Chinese working days (工作日) for the public notice's end date (公示期, ≥ 5 or 7 working
days: 002 §3(2), 001 art.10(2)).

Weekends are rest days and weekdays working days, except where the State Council's yearly
schedule moves them: official holidays (法定节假日) and make-up working days (调休上班).
The schedules up to the last year the maintained ``chinese-calendar`` package knows come
from it; a later year's schedule is entered by an administrator once it is published
(usually in November), and until then a date in that year is refused, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar


class ScheduleUnknown(LookupError):
    """No schedule is known for the year: an administrator must enter it first."""

    code = "working_day_schedule_unknown"

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year
        self.message = (
            f"{year}年的法定节假日与调休安排尚未录入，无法计算公示截止日；"
            "请系统管理员按国务院办公厅通知录入后再试"
        )


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year's official schedule as published: holidays that fall on weekdays, and
    weekend days that are working days."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

    def __post_init__(self) -> None:
        stray = [d for d in (*self.holidays, *self.workdays) if d.year != self.year]
        if stray:
            raise ValueError(f"dates outside {self.year}: {sorted(stray)[:3]}")
        if self.holidays & self.workdays:
            raise ValueError("a day cannot be both a holiday and a make-up working day")


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Working days from the package, and from ``entered`` schedules for later years (an
    entered year takes precedence over the package, so a correction can be made too)."""

    entered: Mapping[int, YearSchedule] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        schedule = self.entered.get(day.year)
        if schedule is not None:
            if day in schedule.holidays:
                return False
            return day in schedule.workdays or day.weekday() < 5
        try:
            working: bool = chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise ScheduleUnknown(day.year) from None
        return working

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself not counted): a
        notice posted on ``start`` for ``count`` working days ends at the end of this day."""
        if count < 1:
            raise ValueError("a notice lasts at least one working day")
        day, left = start, count
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, first: date, last: date) -> int:
        """Working days from ``first`` to ``last``, both included."""
        return sum(
            self.is_working_day(first + timedelta(days=n)) for n in range((last - first).days + 1)
        )


def calendar_with(schedules: Iterable[YearSchedule]) -> WorkingCalendar:
    return WorkingCalendar({schedule.year: schedule for schedule in schedules})
