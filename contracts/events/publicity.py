"""Integration events published by the publicity service (公示).

Stream: ``notice-<roster_id>``: the public notices of one roster, one per submission (a
roster sent back and submitted again is noticed again, for its full length). Stream
``calendar-<year>``: the working-day schedule an administrator entered for a year the
calendar package does not know yet.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from contracts.base import Event
from contracts.fields import Code, Count, Id, Text

SubmissionNo = Annotated[int, Field(strict=True, ge=1)]


class PublicNoticeStarted(Event):
    """A submitted roster went up on its township's public notice page.

    Guarantees: ``ends_on`` is ``working_days`` Chinese working days after ``starts_on``
    (official holidays and make-up workdays counted), and ``working_days`` is at least the
    programme's minimum for the roster's jurisdiction. Confidential programmes are noticed
    inside the administration only, never on a public page.
    """

    event_type = "PublicNoticeStarted"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    programme_code: Code
    township_code: Code
    round_id: Id
    starts_on: date
    ends_on: date
    working_days: Annotated[int, Field(strict=True, ge=1)]
    public: bool
    """False for a confidential (涉密) programme: never shown on a public page."""

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("a notice cannot end before it starts")
        return self


class PublicNoticeHalted(Event):
    """The notice was taken down before its end because an objection was upheld.

    Guarantees: the roster goes back to the township that made it; ``row_nos`` are the rows
    the upheld objections named (empty when an objection concerned the roster as a whole).
    The roster must be corrected and submitted again, which starts a new notice.
    """

    event_type = "PublicNoticeHalted"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    row_nos: tuple[Count, ...]
    findings: Annotated[tuple[Text, ...], Field(min_length=1)]


class PublicNoticeCompleted(Event):
    """A roster's public notice ran its full length of working days and was taken down.

    Guarantees: the notice lasted at least the programme's minimum of working days in the
    roster's jurisdiction (holidays and make-up workdays counted), and no objection raised
    during it is open or was upheld: approval may start for this submission.
    """

    event_type = "PublicNoticeCompleted"
    schema_version = 2

    roster_id: Id
    submission_no: SubmissionNo
    started_on: date
    ended_on: date

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ended_on < self.started_on:
            raise ValueError("a notice cannot end before it starts")
        return self


def public_notice_completed_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 knew one submission per roster."""
    return {**data, "submission_no": 1}


class WorkingDayScheduleEntered(Event):
    """An administrator entered the official holiday schedule of a year (国务院办公厅通知).

    Guarantees: ``holidays`` are the days off that fall on weekdays and ``workdays`` the
    make-up working days that fall on weekends; every date lies in ``year``. A later entry
    for the same year replaces the earlier one. Years the calendar package knows keep the
    package's schedule.
    """

    event_type = "WorkingDayScheduleEntered"
    schema_version = 1

    year: Annotated[int, Field(strict=True, ge=2004, le=2100)]
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]
    source: Text
    """Where the schedule comes from (the State Council notice's number and date)."""

    @model_validator(mode="after")
    def _dates_in_year(self) -> Self:
        if any(day.year != self.year for day in (*self.holidays, *self.workdays)):
            raise ValueError("every date of a year's schedule lies in that year")
        if set(self.holidays) & set(self.workdays):
            raise ValueError("a day cannot be both a holiday and a make-up workday")
        return self
