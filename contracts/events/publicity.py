"""Integration events published by the publicity service (公示).

Stream: ``notice-<roster_id>``: one public notice per submitted roster.
"""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import model_validator

from contracts.base import Event
from contracts.fields import Id


class PublicNoticeCompleted(Event):
    """A roster's public notice ran its full length of working days and was taken down.

    Guarantees: the notice lasted at least the programme's minimum of working days in the
    roster's jurisdiction (holidays and make-up workdays counted); objections raised during
    the notice are recorded separately and must be resolved before approval.
    """

    event_type = "PublicNoticeCompleted"
    schema_version = 1

    roster_id: Id
    started_on: date
    ended_on: date

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ended_on < self.started_on:
            raise ValueError("a notice cannot end before it starts")
        return self
