"""The notify's pure rules, Given / When / Then: the SMS text (templates by region, the amount
to the fen, the date), the phone directory, the next step after a try, the per-number limits,
the one-outcome decider of an SMS's stream, and what each payout event does to the work queue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.events import PaymentNoticeSent, PaymentReversed, PaymentReviewResolved
from services.notify.domain.contacts import evolve_contact
from services.notify.domain.delivery import (
    Delivered,
    GaveUp,
    Permanent,
    RetryAt,
    RetryPolicy,
    Sent,
    Transient,
    after_attempt,
)
from services.notify.domain.events import PaymentNoticeFailed, PaymentNoticeNotSendable
from services.notify.domain.message import (
    SmsTemplates,
    TemplateRefused,
    notification_id_of,
    yuan,
)
from services.notify.domain.notice import (
    NoticeFacts,
    NoticeState,
    RecordFailed,
    RecordNotSendable,
    RecordSent,
    decide,
    evolve,
)
from services.notify.domain.rate_limit import PhoneRateLimits
from services.notify.domain.work_queue import AwaitBank, CloseNotices, OpenNotice, work_change
from tests.unit.notify_samples import (
    corrected as corrected_phone,
)
from tests.unit.notify_samples import (
    deceased,
    failed,
    flagged,
    instructed,
    paid,
    registered,
    returned,
)

NOW = datetime(2025, 10, 9, 2, tzinfo=UTC)
FACTS = NoticeFacts("sms-r-1:1:1", "b-1", "r-1", 1, "r-1:1:1", "650102001")


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "0.00元"), (5, "0.05元"), (61_725, "617.25元"), (10_000_000, "100000.00元")],
)
def test_amounts_are_yuan_to_the_fen(fen: int, text: str) -> None:
    assert yuan(fen) == text


def test_the_longest_matching_prefix_chooses_the_template() -> None:
    templates = SmsTemplates.of(
        {"65": "新疆：{programme}{amount}{date}", "650102": "天山区：{programme}{amount}{date}"}
    )
    day = date(2025, 10, 9)

    def render(code: str) -> str:
        return templates.render(
            division_code=code, programme="耕地地力保护补贴", amount_fen=61_725, day=day
        )

    assert render("650102001") == "天山区：耕地地力保护补贴617.25元2025年10月9日"
    assert render("650103001") == "新疆：耕地地力保护补贴617.25元2025年10月9日"
    assert render("430602001").startswith("【惠民惠农一卡通】您的耕地地力保护补贴617.25元已于")


def test_a_configured_default_replaces_the_built_in_one() -> None:
    templates = SmsTemplates.of({"default": "{amount}"})
    assert templates.key_for("430602001") == "default"
    assert templates.render(division_code="1", programme="x", amount_fen=1, day=NOW.date()) == (
        "0.01元"
    )


@pytest.mark.parametrize(
    "configured",
    [
        {"65": "{name}{amount}"},
        {"65": "{amount.__class__}"},
        {"65": "{amount!r}"},
        {"65": "{amount:>20}"},
        {"65": "{amount"},
        {"65": "  "},
        {"xj": "{amount}"},
    ],
)
def test_unusable_templates_are_refused_when_the_service_starts(
    configured: dict[str, str],
) -> None:
    with pytest.raises(TemplateRefused):
        SmsTemplates.of(configured)


def test_a_notification_id_names_the_instruction_and_stays_an_id() -> None:
    assert notification_id_of("r-1:1:1") == "sms-r-1:1:1"
    long = notification_id_of("r" * 90 + ":1:1")
    assert len(long) <= 64
    assert long == notification_id_of("r" * 90 + ":1:1") != notification_id_of("r" * 90 + ":1:2")


def test_the_directory_keeps_the_latest_phone_until_death_and_nothing_after() -> None:
    contact = evolve_contact(None, registered("b-1", "13800138000"))
    contact = evolve_contact(contact, corrected_phone("b-1", "13900139000"))
    assert contact is not None
    assert contact.phone is not None
    assert (contact.phone.reveal(), contact.reachable) == ("13900139000", True)
    gone = evolve_contact(contact, deceased("b-1"))
    after = evolve_contact(gone, corrected_phone("b-1", "13700137000"))
    assert after is not None
    assert (after.reach, after.phone, after.reachable) == ("deceased", None, False)


def test_a_correction_to_no_phone_leaves_none() -> None:
    contact = evolve_contact(None, registered("b-1", "13800138000"))
    contact = evolve_contact(contact, corrected_phone("b-1", None))
    assert contact is not None
    assert not contact.reachable


POLICY = RetryPolicy(max_attempts=4)


def test_a_delivered_try_is_sent() -> None:
    assert after_attempt(Delivered("X"), attempts_before=2, now=NOW, policy=POLICY) == Sent("X", 3)


@pytest.mark.parametrize(
    ("before", "wait"),
    [(0, timedelta(seconds=30)), (1, timedelta(minutes=1)), (2, timedelta(minutes=2))],
)
def test_a_transient_failure_waits_exponentially(before: int, wait: timedelta) -> None:
    step = after_attempt(Transient("gateway_503"), attempts_before=before, now=NOW, policy=POLICY)
    assert step == RetryAt(NOW + wait, before + 1, "gateway_503")


def test_the_wait_never_exceeds_an_hour_nor_a_providers_day() -> None:
    policy = RetryPolicy(max_attempts=50)
    assert policy.delay(40) == timedelta(hours=1)
    step = after_attempt(
        Transient("gateway_429", timedelta(days=9)), attempts_before=0, now=NOW, policy=policy
    )
    assert step == RetryAt(NOW + timedelta(days=1), 1, "gateway_429")


def test_the_last_allowed_try_failing_gives_up() -> None:
    step = after_attempt(Transient("gateway_503"), attempts_before=3, now=NOW, policy=POLICY)
    assert step == GaveUp(4, "attempts_exhausted", "gateway_503")


def test_a_refusal_gives_up_at_once() -> None:
    step = after_attempt(Permanent("gateway_400", "bad"), attempts_before=0, now=NOW, policy=POLICY)
    assert step == GaveUp(1, "gateway_400", "bad")


def test_a_number_under_its_limits_may_receive_now() -> None:
    limits = PhoneRateLimits(per_hour=2, per_day=3)
    assert limits.next_free([NOW - timedelta(minutes=50)], NOW) is None
    assert limits.next_free([NOW - timedelta(hours=2)] * 2, NOW) is None


def test_a_full_hour_waits_for_its_oldest_message_to_leave_the_window() -> None:
    limits = PhoneRateLimits(per_hour=2, per_day=10)
    sent = [NOW - timedelta(minutes=10), NOW - timedelta(minutes=50)]
    assert limits.next_free(sent, NOW) == NOW + timedelta(minutes=10)


def test_a_full_day_waits_longer_than_the_hour() -> None:
    limits = PhoneRateLimits(per_hour=2, per_day=3)
    sent = [NOW - timedelta(hours=20), NOW - timedelta(hours=3), NOW - timedelta(minutes=30)]
    assert limits.next_free(sent, NOW) == NOW + timedelta(hours=4)


def test_a_limit_allows_at_least_one_message() -> None:
    with pytest.raises(ValueError, match="at least one"):
        PhoneRateLimits(per_hour=0)


def test_given_no_outcome_when_sent_then_the_notice_is_recorded_once() -> None:
    events = decide(RecordSent(FACTS, Sent("GW-1", 2), "http", "短信"), None)
    assert events == [
        PaymentNoticeSent(
            notification_id="sms-r-1:1:1",
            beneficiary_id="b-1",
            roster_id="r-1",
            row_no=1,
            instruction_id="r-1:1:1",
            township_code="650102001",
            channel="sms",
            provider="http",
            provider_reference="GW-1",
            text="短信",
            attempts=2,
        )
    ]
    assert evolve(None, events[0]) == NoticeState("sent")


@pytest.mark.parametrize("outcome", ["sent", "failed", "not_sendable"])
def test_given_an_outcome_any_other_records_nothing(outcome: str) -> None:
    state = NoticeState(outcome)  # type: ignore[arg-type]
    assert decide(RecordSent(FACTS, Sent(None, 1), "file", "短信"), state) == []
    assert decide(RecordFailed(FACTS, GaveUp(1, "gateway_400"), "http"), state) == []
    assert decide(RecordNotSendable(FACTS, "no_phone"), state) == []


def test_failed_and_not_sendable_are_recorded_with_their_reasons() -> None:
    (failure,) = decide(
        RecordFailed(FACTS, GaveUp(8, "attempts_exhausted", "gateway_503"), "http"), None
    )
    assert isinstance(failure, PaymentNoticeFailed)
    assert (failure.reason, failure.detail, failure.attempts) == (
        "attempts_exhausted",
        "gateway_503",
        8,
    )
    (never,) = decide(RecordNotSendable(FACTS, "moved_out"), None)
    assert isinstance(never, PaymentNoticeNotSendable)
    assert evolve(evolve(None, failure), never) == NoticeState("not_sendable")


def test_each_payout_event_changes_the_work_queue_as_it_should() -> None:
    opened = work_change(failed(1))
    assert isinstance(opened, OpenNotice)
    assert (opened.kind, opened.reason, opened.beneficiary_id) == ("failed", "账户已销户", "b-1")
    review = work_change(flagged(1))
    assert isinstance(review, OpenNotice)
    assert (review.kind, review.programme_code) == ("review", None)
    assert work_change(instructed(1, attempt=2, because="retry")) == AwaitBank("r-1", 1)
    assert work_change(instructed(1, attempt=1, because="approved")) is None
    assert work_change(paid(1)) == CloseNotices("r-1", 1, "paid")
    assert work_change(returned(1)) == CloseNotices("r-1", 1, "returned")


def test_a_resolved_review_closes_the_review_and_a_reversal_opens_a_failure() -> None:
    resolved = PaymentReviewResolved(
        instruction_id="r-1:1:1",
        roster_id="r-1",
        row_no=1,
        township_code="650102001",
        concern="failure_after_success",
        decision="accept_reported",
        note="银行确认入账后账户被销户，资金退回",
        resolved_by="u-finance",
    )
    assert work_change(resolved) == CloseNotices("r-1", 1, "reviewed", ("review",))
    reversed_ = PaymentReversed(
        instruction_id="r-1:1:1",
        roster_id="r-1",
        row_no=1,
        attempt=1,
        beneficiary_id="b-1",
        township_code="650102001",
        programme_code="GDLS",
        bank_code="ABC",
        amount_fen=61_725,
        reason_code="account_closed",
        reason_text="账户已销户",
    )
    reopened = work_change(reversed_)
    assert isinstance(reopened, OpenNotice)
    assert (reopened.kind, reopened.reason) == ("failed", "账户已销户")
