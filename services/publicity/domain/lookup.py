"""The beneficiary's own lookup of one target (an ID number, held by someone or by nobody) as
a decider: how many codes it may be sent, whether it is locked, and whether a code verifies.

Knowing a person's county, birthday and sex leaves about 500 candidate ID numbers, so a
limit per client address stops nobody: the rules count per target, whatever the number of
addresses. A target is locked after ``failures_per_day`` failed verifications in any rolling
24 hours; it is sent at most ``codes_per_hour`` and ``codes_per_day`` codes; a code lives
``code_lifetime`` and verifies once. An ID nobody holds, or held under another name, is
decided exactly like a real one (its challenge simply never verifies), so no answer tells
them apart. Pure: the clock and every digest come in with the command.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Final

from contracts.base import Event
from services.publicity.domain.lookup_events import (
    Delivery,
    FailureReason,
    LookupCodeIssued,
    LookupFailed,
    LookupSucceeded,
    RefusalReason,
    Via,
)

HOUR: Final = timedelta(hours=1)
DAY: Final = timedelta(days=1)
EVENTS_PER_DAY_AT_MOST: Final = 64
"""More than a target's events in any 24 hours can be (codes + failures + successes): the
decisions need only that many of its latest events."""
_NO_DIGEST: Final = "0" * 64


@dataclass(frozen=True, slots=True)
class LookupRules:
    failures_per_day: int = 5
    codes_per_hour: int = 3
    codes_per_day: int = 10
    code_lifetime: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        limits = (self.failures_per_day, self.codes_per_hour, self.codes_per_day)
        if (
            min(limits) < 1
            or 2 * self.codes_per_day + self.failures_per_day > EVENTS_PER_DAY_AT_MOST
        ):
            raise ValueError("lookup limits must be at least 1 and fit the events read")


@dataclass(frozen=True, slots=True)
class Challenge:
    code_digest: str
    expires_at: datetime
    beneficiary_id: str | None
    """None: nobody matched; it never verifies."""
    sent: bool
    """Whether the code went out by SMS; one that did not never verifies."""
    used: bool = False


@dataclass(frozen=True, slots=True)
class Target:
    challenges: Mapping[str, Challenge] = field(default_factory=dict)
    codes_at: tuple[datetime, ...] = ()
    failures_at: tuple[datetime, ...] = ()

    def locked(self, now: datetime, rules: LookupRules) -> bool:
        return _since(self.failures_at, now - DAY) >= rules.failures_per_day

    def codes_used_up(self, now: datetime, rules: LookupRules) -> bool:
        return (
            _since(self.codes_at, now - HOUR) >= rules.codes_per_hour
            or _since(self.codes_at, now - DAY) >= rules.codes_per_day
        )


def _since(moments: tuple[datetime, ...], start: datetime) -> int:
    return sum(moment > start for moment in moments)


@dataclass(frozen=True, slots=True)
class RequestCode:
    """Send a code for this target. ``beneficiary_id`` None when nobody matched; the
    ``delivery`` the application could make (an SMS only when someone matched)."""

    challenge_id: str
    code_digest: str
    beneficiary_id: str | None
    via: Via
    delivery: Delivery
    client_address: str | None
    now: datetime


@dataclass(frozen=True, slots=True)
class VerifyCode:
    """Check a code: ``code_digest`` is the digest of what the person typed, made for this
    challenge the way the issued one was."""

    challenge_id: str
    code_digest: str
    client_address: str | None
    now: datetime


def refusal_for_code(state: Target, now: datetime, rules: LookupRules) -> RefusalReason | None:
    """Why no code may be sent now (None: it may)."""
    if state.locked(now, rules):
        return "locked"
    if state.codes_used_up(now, rules):
        return "too_many_codes"
    return None


def refusal_for_verification(
    state: Target, now: datetime, rules: LookupRules
) -> RefusalReason | None:
    """Why no code may be checked now (None: it may): a locked target checks no code, not
    even the right one."""
    return "locked" if state.locked(now, rules) else None


def decide_code(command: RequestCode, rules: LookupRules) -> list[Event]:
    return [
        LookupCodeIssued(
            challenge_id=command.challenge_id,
            code_digest=command.code_digest,
            expires_at=command.now + rules.code_lifetime,
            beneficiary_id=command.beneficiary_id,
            via=command.via,
            delivery=command.delivery,
            client_address=command.client_address,
        )
    ]


def decide_verification(command: VerifyCode, state: Target) -> LookupSucceeded | LookupFailed:
    """``LookupSucceeded`` for the right code of a live challenge of someone, else
    ``LookupFailed``. The digests are compared in constant time whatever the case."""
    challenge = state.challenges.get(command.challenge_id)
    expected = challenge.code_digest if challenge is not None else _NO_DIGEST
    matches = hmac.compare_digest(expected, command.code_digest)
    reason = _failure(challenge, command.now, matches=matches)
    if reason is None and challenge is not None and challenge.beneficiary_id is not None:
        return LookupSucceeded(
            challenge_id=command.challenge_id,
            beneficiary_id=challenge.beneficiary_id,
            client_address=command.client_address,
        )
    return LookupFailed(
        challenge_id=command.challenge_id,
        reason=reason or "no_match",
        client_address=command.client_address,
    )


def _failure(challenge: Challenge | None, now: datetime, *, matches: bool) -> FailureReason | None:
    if challenge is None:
        return "unknown_challenge"
    if challenge.used:
        return "used"
    if now >= challenge.expires_at:
        return "expired"
    if challenge.beneficiary_id is None:
        return "no_match"
    if not challenge.sent:
        return "not_sent"
    return None if matches else "wrong_code"


def evolve(state: Target, event: object, at: datetime) -> Target:
    """The target after ``event``, recorded at ``at`` (the windows count on that instant)."""
    if isinstance(event, LookupCodeIssued):
        challenge = Challenge(
            event.code_digest,
            event.expires_at,
            event.beneficiary_id,
            sent=event.delivery == "sent",
        )
        return replace(
            state,
            challenges={**state.challenges, event.challenge_id: challenge},
            codes_at=(*state.codes_at, at),
        )
    if isinstance(event, LookupFailed):
        return replace(state, failures_at=(*state.failures_at, at))
    if isinstance(event, LookupSucceeded) and event.challenge_id in state.challenges:
        used = replace(state.challenges[event.challenge_id], used=True)
        return replace(state, challenges={**state.challenges, event.challenge_id: used})
    return state
