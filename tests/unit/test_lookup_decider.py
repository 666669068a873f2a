"""The lookup of one target as a decider: Given its events, When a code is asked for or
checked, Then what is decided (or why it is refused)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.publicity.domain.lookup import (
    LookupRules,
    RequestCode,
    Target,
    VerifyCode,
    decide_code,
    decide_verification,
    evolve,
    refusal_for_code,
    refusal_for_verification,
)
from services.publicity.domain.lookup_events import (
    Delivery,
    LookupCodeIssued,
    LookupFailed,
    LookupSucceeded,
)

NOW = datetime(2025, 7, 2, 2, tzinfo=UTC)
RULES = LookupRules()
RIGHT, WRONG = "a" * 64, "b" * 64


def given(*events: tuple[object, datetime]) -> Target:
    state = Target()
    for event, at in events:
        state = evolve(state, event, at)
    return state


def issued(
    challenge_id: str = "c-1",
    *,
    at: datetime = NOW,
    beneficiary_id: str | None = "b-1",
    delivery: Delivery = "sent",
) -> tuple[LookupCodeIssued, datetime]:
    event = LookupCodeIssued(
        challenge_id=challenge_id,
        code_digest=RIGHT,
        expires_at=at + RULES.code_lifetime,
        beneficiary_id=beneficiary_id,
        via="form",
        delivery=delivery,
    )
    return event, at


def failed(at: datetime) -> tuple[LookupFailed, datetime]:
    return LookupFailed(challenge_id="c-x", reason="wrong_code"), at


def check(digest: str, *, at: datetime = NOW, challenge_id: str = "c-1") -> VerifyCode:
    return VerifyCode(challenge_id=challenge_id, code_digest=digest, client_address=None, now=at)


def test_the_right_code_of_a_live_challenge_succeeds_once() -> None:
    state = given(issued())
    outcome = decide_verification(check(RIGHT), state)
    assert outcome == LookupSucceeded(challenge_id="c-1", beneficiary_id="b-1")
    again = decide_verification(check(RIGHT), evolve(state, outcome, NOW))
    assert isinstance(again, LookupFailed)
    assert again.reason == "used"


@pytest.mark.parametrize(
    ("state", "command", "reason"),
    [
        (given(issued()), check(WRONG), "wrong_code"),
        (given(issued()), check(RIGHT, at=NOW + timedelta(minutes=5)), "expired"),
        (given(issued(beneficiary_id=None, delivery="no_match")), check(RIGHT), "no_match"),
        (given(issued(delivery="phone_limit")), check(RIGHT), "not_sent"),
        (given(issued()), check(RIGHT, challenge_id="c-other"), "unknown_challenge"),
    ],
)
def test_every_other_check_fails_with_its_reason(
    state: Target, command: VerifyCode, reason: str
) -> None:
    outcome = decide_verification(command, state)
    assert isinstance(outcome, LookupFailed)
    assert outcome.reason == reason


def test_five_failures_in_24_hours_lock_the_target_and_the_sixth_hour_past_a_day_frees_it() -> None:
    state = given(*(failed(NOW + timedelta(hours=n)) for n in range(5)))
    assert refusal_for_verification(state, NOW + timedelta(hours=5), RULES) == "locked"
    assert refusal_for_code(state, NOW + timedelta(hours=5), RULES) == "locked"
    assert refusal_for_verification(state, NOW + timedelta(days=1, minutes=1), RULES) is None


def test_four_failures_do_not_lock() -> None:
    state = given(*(failed(NOW + timedelta(minutes=n)) for n in range(4)))
    assert refusal_for_verification(state, NOW + timedelta(minutes=5), RULES) is None


def test_three_codes_an_hour_and_ten_a_day() -> None:
    hour = given(*(issued(f"c-{n}", at=NOW + timedelta(minutes=n)) for n in range(3)))
    assert refusal_for_code(hour, NOW + timedelta(minutes=10), RULES) == "too_many_codes"
    assert refusal_for_code(hour, NOW + timedelta(minutes=61), RULES) is None
    day = given(*(issued(f"c-{n}", at=NOW + timedelta(hours=2 * n)) for n in range(10)))
    assert refusal_for_code(day, NOW + timedelta(hours=20), RULES) == "too_many_codes"
    assert refusal_for_code(day, NOW + timedelta(hours=24, minutes=1), RULES) is None


def test_a_code_request_decides_a_challenge_living_five_minutes() -> None:
    command = RequestCode(
        challenge_id="c-1",
        code_digest=RIGHT,
        beneficiary_id=None,
        via="qr",
        delivery="no_match",
        client_address="198.51.100.1",
        now=NOW,
    )
    (event,) = decide_code(command, RULES)
    assert isinstance(event, LookupCodeIssued)
    assert event.expires_at == NOW + timedelta(minutes=5)
    assert (event.beneficiary_id, event.delivery) == (None, "no_match")


def test_rules_that_would_outgrow_the_events_read_are_refused() -> None:
    with pytest.raises(ValueError, match="fit the events read"):
        LookupRules(codes_per_day=40)
