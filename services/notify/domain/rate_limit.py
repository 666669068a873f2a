"""How many SMS one phone number may receive: at most ``per_hour`` in any rolling hour and
``per_day`` in any rolling day. A message beyond the limit waits for the first free moment; it
is never dropped. Pure: the caller hands in when the number was last sent to (the ledger is
kept in the database, so a restart forgets nothing)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

HOUR: Final = timedelta(hours=1)
DAY: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PhoneRateLimits:
    per_hour: int = 5
    per_day: int = 20

    def __post_init__(self) -> None:
        if self.per_hour < 1 or self.per_day < 1:
            raise ValueError("a rate limit allows at least one message")

    def next_free(self, sent: Iterable[datetime], now: datetime) -> datetime | None:
        """None when the number may receive one more message at ``now``; else the earliest
        moment it may, given the instants it was sent to (any order, older ones ignored)."""
        recent = sorted(moment for moment in sent if moment > now - DAY)
        free = [
            recent[-limit] + window
            for limit, window in ((self.per_hour, HOUR), (self.per_day, DAY))
            if sum(moment > now - window for moment in recent) >= limit
        ]
        return max(free) if free else None
