"""What follows one try to hand an SMS to the provider: sent, tried again later (exponential
backoff, or the provider's own ``Retry-After`` when longer), or failed for good — after a
permanent refusal, or once ``max_attempts`` tries all failed. Pure: the clock comes in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

REASON_ATTEMPTS_EXHAUSTED: Final = "attempts_exhausted"
LONGEST_WAIT: Final = timedelta(days=1)
"""A provider's ``Retry-After`` is honoured up to this."""


@dataclass(frozen=True, slots=True)
class Delivered:
    """The provider accepted the message (``reference``: its id for it, if it gave one)."""

    reference: str | None = None


@dataclass(frozen=True, slots=True)
class Transient:
    """Not accepted this time (busy, rate-limited, unreachable): try again later."""

    reason: str
    retry_after: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Permanent:
    """Refused for good (a malformed number, a rejected request): trying again changes nothing."""

    reason: str
    detail: str | None = None


SendOutcome = Delivered | Transient | Permanent


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    first_delay: timedelta = timedelta(seconds=30)
    factor: int = 2
    max_delay: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min… at most an hour."""
        exponent = min(max(attempts - 1, 0), 30)  # past the cap anyway; keeps it finite
        grown: timedelta = self.first_delay * self.factor**exponent
        return min(grown, self.max_delay)


@dataclass(frozen=True, slots=True)
class Sent:
    reference: str | None
    attempts: int


@dataclass(frozen=True, slots=True)
class RetryAt:
    at: datetime
    attempts: int
    reason: str


@dataclass(frozen=True, slots=True)
class GaveUp:
    attempts: int
    reason: str
    detail: str | None = None


NextStep = Sent | RetryAt | GaveUp


def after_attempt(
    outcome: SendOutcome, *, attempts_before: int, now: datetime, policy: RetryPolicy
) -> NextStep:
    """The step after one more try, which answered ``outcome``."""
    attempts = attempts_before + 1
    if isinstance(outcome, Delivered):
        return Sent(outcome.reference, attempts)
    if isinstance(outcome, Permanent):
        return GaveUp(attempts, outcome.reason, outcome.detail)
    if attempts >= policy.max_attempts:
        return GaveUp(attempts, REASON_ATTEMPTS_EXHAUSTED, outcome.reason)
    wait = max(policy.delay(attempts), outcome.retry_after or timedelta(0))
    return RetryAt(now + min(wait, LONGEST_WAIT), attempts, outcome.reason)
