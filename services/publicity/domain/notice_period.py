"""When a public notice starts and when it has run its course (公示期).

The notice lasts at least the programme's number of working days in the roster's
jurisdiction (≥ 5 working days, 002 §3(2); ≥ 7, 001 art.10(2)), counted in Chinese working
days, official holidays and make-up working days included (``contracts.working_days``).

- It starts on the day the roster was submitted if that is a working day, else on the next
  working day: a notice put up on a Saturday or during the Spring Festival has nobody at the
  village notice board or the township office to read or answer it.
- The starting day is not counted; the period is the ``working_days`` working days after it,
  so it ends at 24:00 (China time) of the last of them, ``ends_on`` (as the Civil Code counts
  periods in days: art. 201, the first day is not counted; art. 203, the last day ends at
  24:00).
- It has elapsed once that midnight has passed: from the next calendar day in China, whatever
  that day is (completion does not wait for a working day; nobody has to act on it).
"""

from __future__ import annotations

from datetime import date, timedelta

from contracts.working_days import WorkingCalendar

LONGEST_RUN_DAYS_PER_WORKING_DAY = 2
"""Calendar days one working day can take at most, over a long notice (weekends)."""
LONGEST_HOLIDAY_DAYS = 60
"""Slack for the longest official holidays and their surrounding weekends."""


def first_working_day(calendar: WorkingCalendar, day: date) -> date:
    """``day`` itself when it is a working day, else the next working day."""
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def notice_period(
    calendar: WorkingCalendar, submitted_on: date, working_days: int
) -> tuple[date, date]:
    """``(starts_on, ends_on)`` of a notice submitted on ``submitted_on`` (China date).
    Raises ``ScheduleUnknown`` when a day it needs lies in a year nobody has the schedule of."""
    starts_on = first_working_day(calendar, submitted_on)
    return starts_on, calendar.add_working_days(starts_on, working_days)


def has_elapsed(ends_on: date, today: date) -> bool:
    """Whether the notice ending on ``ends_on`` is over on ``today`` (China date)."""
    return today > ends_on


def years_needed(submitted_on: date, working_days: int) -> range:
    """The years whose schedules a notice starting on ``submitted_on`` may touch."""
    slack = LONGEST_RUN_DAYS_PER_WORKING_DAY * working_days + LONGEST_HOLIDAY_DAYS
    return range(submitted_on.year, (submitted_on + timedelta(days=slack)).year + 1)
