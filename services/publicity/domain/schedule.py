"""A year's working-day schedule entered by an administrator (stream ``calendar-<year>``),
for a year the calendar package does not know yet. The State Council publishes it each year
(国务院办公厅关于部分节假日安排的通知, usually in November); until it is entered, notices
that reach into that year wait instead of guessing (``contracts.working_days``).

What is entered is checked against the shape every such schedule has: days off that fall on
weekdays, make-up working days that fall on weekends, all inside the year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from contracts.base import Event
from contracts.events import WorkingDayScheduleEntered
from contracts.refusals import Refused
from contracts.working_days import ScheduleUnknown, WorkingCalendar

FIRST_YEAR = 2004
LAST_YEAR = 2100
_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True, slots=True)
class EnterSchedule:
    year: int
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]
    source: str


def package_knows(year: int) -> bool:
    """Whether the maintained calendar package has the official schedule of ``year``."""
    try:
        WorkingCalendar().is_working_day(date(year, 1, 1))
    except ScheduleUnknown:
        return False
    return True


def decide_schedule(
    command: EnterSchedule, current: WorkingDayScheduleEntered | None
) -> Sequence[Event]:
    """``WorkingDayScheduleEntered``, replacing an earlier entry; nothing when the same
    schedule is entered again. Refused for a year the package knows (its schedule stays)."""
    _check(command)
    entered = WorkingDayScheduleEntered(
        year=command.year,
        holidays=tuple(sorted(command.holidays)),
        workdays=tuple(sorted(command.workdays)),
        source=command.source,
    )
    if current is not None and current == entered:
        return []
    return [entered]


def _check(command: EnterSchedule) -> None:
    if not FIRST_YEAR <= command.year <= LAST_YEAR:
        raise Refused("invalid_year", f"年份应在{FIRST_YEAR}年至{LAST_YEAR}年之间")
    if package_knows(command.year):
        raise Refused(
            "working_day_schedule_known",
            f"{command.year}年的节假日安排已由系统内置日历提供，无需录入",
            status=409,
        )
    if not command.source.strip():
        raise Refused("schedule_source_missing", "请注明依据（国务院办公厅通知的文号和日期）")
    if not command.holidays:
        raise Refused("schedule_without_holidays", "请录入当年落在工作日的法定节假日（放假日期）")
    days = [*command.holidays, *command.workdays]
    if len(set(days)) != len(days):
        raise Refused("schedule_day_twice", "同一日期重复录入，或既是放假日又是调休上班日")
    for day in days:
        if day.year != command.year:
            raise Refused("schedule_date_outside_year", f"{_shown(day)}不在{command.year}年内")
    for day in command.holidays:
        if day.weekday() >= 5:
            raise Refused(
                "holiday_on_weekend", f"{_shown(day)}本是周末，只需录入落在工作日的放假日期"
            )
    for day in command.workdays:
        if day.weekday() < 5:
            raise Refused(
                "workday_on_weekday", f"{_shown(day)}本是工作日，只需录入周末调休上班的日期"
            )


def _shown(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（星期{_WEEKDAYS[day.weekday()]}）"
