"""The time every service reads: one injectable clock.

Domain code never calls ``datetime.now``: commands take ``now``/``today`` from the caller,
and the callers take it from a :class:`Clock`. Production runs on :class:`SystemClock`;
tests run on :class:`AdjustableClock`, which they move forward (a public notice of seven
working days passes in a second); the demo's processes share one :class:`SharedClock`, moved
forward through a file they all read. Times are aware and in UTC; working days and what clerks
see are in :data:`CHINA` (Asia/Shanghai).
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
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


class SharedClock:
    """The system's time moved by an offset kept in a file, so that every process of one
    system (the demo's ``onecard up``) shares the same moved clock; only forward, never in
    production (the settings refuse it there).

    The file holds ``{"offset_seconds": ...}``, written whole and renamed into place; readers
    look at it again at most every ``refresh`` seconds (a missing file: no offset)."""

    def __init__(self, path: Path, *, refresh: float = 0.05) -> None:
        self.path = path
        self._refresh = refresh
        self._offset = timedelta(0)
        self._read_at = float("-inf")

    def now(self) -> datetime:
        if time.monotonic() - self._read_at >= self._refresh:
            self._offset = self.offset()
        return datetime.now(UTC) + self._offset

    def offset(self) -> timedelta:
        """The offset as the file says now."""
        self._read_at = time.monotonic()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return timedelta(0)
        return timedelta(seconds=float(data["offset_seconds"]))

    def advance(self, by: timedelta) -> datetime:
        """Move every process's clock forward by ``by`` (they see it within ``refresh``)."""
        if by < timedelta(0):
            raise ValueError("the clock only moves forward")
        offset = self.offset() + by
        self.path.parent.mkdir(parents=True, exist_ok=True)
        written = self.path.with_suffix(".tmp")
        written.write_text(json.dumps({"offset_seconds": offset.total_seconds()}), encoding="utf-8")
        os.replace(written, self.path)
        self._offset = offset
        return datetime.now(UTC) + offset

    def advance_to(self, moment: datetime) -> datetime:
        """Move the clock forward to ``moment`` (aware); a moment already passed moves nothing."""
        return self.advance(max(moment - self.now(), timedelta(0)))


def today_in_china(clock: Clock) -> date:
    """The calendar day in China (what working days and notice dates count in)."""
    return clock.now().astimezone(CHINA).date()
