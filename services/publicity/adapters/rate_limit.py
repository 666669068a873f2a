"""Token buckets in memory: how often the public may file objections.

In memory, so one process's view only: with several publicity processes behind a balancer
each allows its own share (the limit multiplies by the number of processes), and a restart
forgets. That is acceptable for a brake on floods and scripted objections
(docs/adr/009-public-notice.md); a shared limit would need a shared store (Redis, the
projection database).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from infra.clock import Clock

MAX_KEYS = 50_000
"""Buckets kept at most; beyond, the fullest (longest idle) are forgotten first."""


@dataclass
class TokenBucket:
    """``capacity`` requests at once per key, refilled at ``capacity`` per ``period``."""

    capacity: int
    period: timedelta
    clock: Clock
    _buckets: dict[str, tuple[float, datetime]] = field(default_factory=dict)

    def wait_seconds(self, key: str) -> int:
        """0 when ``key`` may go now, else the whole seconds until it may."""
        tokens = self._tokens(key, self.clock.now())
        if tokens >= 1:
            return 0
        return math.ceil((1 - tokens) * self.period.total_seconds() / self.capacity)

    def take(self, key: str) -> None:
        """Spend one of ``key``'s tokens (call after ``wait_seconds`` answered 0)."""
        now = self.clock.now()
        self._buckets[key] = (self._tokens(key, now) - 1, now)
        if len(self._buckets) > MAX_KEYS:
            self._forget_idle(now)

    def _tokens(self, key: str, now: datetime) -> float:
        tokens, at = self._buckets.get(key, (float(self.capacity), now))
        refill = (now - at) / self.period * self.capacity
        return min(float(self.capacity), tokens + max(refill, 0.0))

    def _forget_idle(self, now: datetime) -> None:
        by_fullness = sorted(self._buckets, key=lambda k: -self._tokens(k, now))
        for key in by_fullness[: len(self._buckets) - MAX_KEYS // 2]:
            del self._buckets[key]


@dataclass
class ObjectionLimits:
    """Per client address (one person's flood) and per row objected to (a campaign against
    one beneficiary from many addresses)."""

    by_client: TokenBucket
    by_target: TokenBucket

    @classmethod
    def default(cls, clock: Clock) -> ObjectionLimits:
        return cls(
            by_client=TokenBucket(5, timedelta(minutes=10), clock),
            by_target=TokenBucket(20, timedelta(hours=1), clock),
        )

    def admit(self, client: str, target: str) -> int:
        """0 and both tokens spent when the objection may be filed, else seconds to wait."""
        wait = max(self.by_client.wait_seconds(client), self.by_target.wait_seconds(target))
        if wait == 0:
            self.by_client.take(client)
            self.by_target.take(target)
        return wait
