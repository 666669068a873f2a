"""When a round is overdue, for the supervisors' dashboards: a notice still running after
its last day (an objection left open), or a roster waiting in approval for more working days
than a level is allowed. The approval service keeps each chain's own allowance; publicity
does not see it and counts with the chains' default (two working days per level)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from contracts.working_days import WorkingCalendar

APPROVAL_WORKING_DAYS: Final = 2
"""A level's allowance in the default chain (the approval service's ``overdue_working_days``)."""


@dataclass(frozen=True, slots=True)
class Waited:
    working_days: int
    overdue: bool


def waited(
    since: date, today: date, calendar: WorkingCalendar, allowed: int = APPROVAL_WORKING_DAYS
) -> Waited:
    """Working days from the day after ``since`` up to ``today``, and whether that is more
    than ``allowed``. Raises ``ScheduleUnknown`` for a year nobody has the schedule of."""
    if today <= since:
        return Waited(0, False)
    days = calendar.working_days_between(since + timedelta(days=1), today)
    return Waited(days, days > allowed)
