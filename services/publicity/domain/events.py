"""Publicity's private events: facts only publicity reads, free to evolve (with upcasters,
since they are kept ten years like every event). What other services may rely on is in
``contracts/events/publicity.py``.

Objections stay private on purpose: they hold what a member of the public typed, which has no
business travelling to every service; what the others need (the notice was halted, and on
which rows) is in ``PublicNoticeHalted``. Stream ``notice-<roster_id>``, beside the notice.
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import Field, StringConstraints

from contracts.base import Event
from contracts.events import EVENTS
from contracts.fields import Code, Id, Text
from contracts.pii import PhoneNo
from services.publicity.domain.lookup_events import LOOKUP_EVENTS

SubmissionNo = Annotated[int, Field(strict=True, ge=1)]
RowNo = Annotated[int, Field(strict=True, ge=1)]
WorkingDays = Annotated[int, Field(strict=True, ge=1)]
ObjectionText = Annotated[
    str, StringConstraints(min_length=2, max_length=500, strip_whitespace=True)
]


class NoticeAwaitingSchedule(Event):
    """A submitted roster's notice could not start because nobody knows the working days of
    ``year`` yet (the calendar package ends before it and no administrator entered it). It is
    never guessed: the notice starts once the year's schedule is entered."""

    event_type = "NoticeAwaitingSchedule"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    programme_code: Code
    township_code: Code
    round_id: Id
    working_days: WorkingDays
    public: bool
    year: Annotated[int, Field(strict=True, ge=2004, le=2100)]


class ObjectionFiled(Event):
    """Someone objected to a row under notice (``row_no``) or to the whole roster (None),
    through the public form. The contact is optional; the phone is sealed like all personal
    data."""

    event_type = "ObjectionFiled"
    schema_version = 1

    objection_id: Id
    roster_id: Id
    submission_no: SubmissionNo
    row_no: RowNo | None = None
    reason: ObjectionText
    """As typed, but any ID, account or mobile number in it masked (``contracts.masking``)."""
    contact_name: Text | None = None
    contact_phone: PhoneNo | None = None


class ObjectionResolved(Event):
    """An official with the right over the township recorded the finding on an objection.
    An upheld objection halts the notice in the same append (``PublicNoticeHalted``)."""

    event_type = "ObjectionResolved"
    schema_version = 1

    objection_id: Id
    roster_id: Id
    submission_no: SubmissionNo
    upheld: bool
    finding: Text


PUBLICITY_EVENTS: Final = EVENTS.including(
    [NoticeAwaitingSchedule, ObjectionFiled, ObjectionResolved, *LOOKUP_EVENTS]
)
"""Every event publicity reads: the integration events and its private ones (the lookup's
in ``lookup_events``)."""
