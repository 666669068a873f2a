"""When a level waiting for its decision is overdue: after more than the chain's number of
Chinese working days (weekends, official holidays and make-up workdays as the State Council
schedules them; ``contracts.working_days``), counted in China's calendar from the day after
the level was entered up to today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from contracts.working_days import WorkingCalendar


@dataclass(frozen=True, slots=True)
class Waiting:
    working_days: int
    overdue: bool


def waiting(entered_on: date, today: date, allowed: int, calendar: WorkingCalendar) -> Waiting:
    """How many working days the level has waited, and whether that is more than
    ``allowed``: entered on a Monday with two days allowed, it is overdue on Thursday.

    Raises ``ScheduleUnknown`` when a day lies in a year whose schedule nobody entered yet.
    """
    if today <= entered_on:
        return Waiting(0, False)
    days = calendar.working_days_between(entered_on + timedelta(days=1), today)
    return Waiting(days, days > allowed)
