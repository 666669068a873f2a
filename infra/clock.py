"""The time every service reads: one injectable clock.

Domain code never calls ``datetime.now``: commands take ``now``/``today`` from the caller,
and the callers take it from a :class:`Clock`. Production runs on :class:`SystemClock`;
tests and the demo run on :class:`AdjustableClock`, which they move forward (a public notice
of seven working days passes in a second). Times are aware and in UTC; working days and
what clerks see are in :data:`CHINA` (Asia/Shanghai).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final, Protocol
from zoneinfo import ZoneInfo

CHINA: Final = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class AdjustableClock:
    """The system's time moved by an offset that only grows (time never runs backwards)."""

    def __init__(self, *, start: datetime | None = None) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("AdjustableClock needs a timezone-aware start")
        self._offset = timedelta(0) if start is None else start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, by: timedelta) -> datetime:
        if by < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._offset += by
        return self.now()


def today_in_china(clock: Clock) -> date:
    """The calendar day in China (what working days and notice dates count in)."""
    return clock.now().astimezone(CHINA).date()
