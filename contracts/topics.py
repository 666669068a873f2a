"""Which service publishes which event on which Kafka topic, declared once.

Each topic has one owning service, and only events of that service's module in
``contracts.events`` travel on it. Messages are keyed by the stream id of the entity the
event belongs to (``key`` names the id the stream is made from), so that all events of one
entity stay in order on one partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import (
    BatchApproved,
    BeneficiaryDeceased,
    BeneficiaryDetailsCorrected,
    BeneficiaryMovedOut,
    BeneficiaryRegistered,
    CardAccountClosed,
    CardAccountDeclared,
    CardAccountFrozen,
    CardAccountUnfrozen,
    CardAccountVerified,
    PaymentBatchIssued,
    PaymentFailed,
    PaymentFlaggedForReview,
    PaymentInstructed,
    PaymentNoticeSent,
    PaymentOutcomeUnknown,
    PaymentReversed,
    PaymentReviewResolved,
    PaymentSucceeded,
    PublicNoticeCompleted,
    PublicNoticeHalted,
    PublicNoticeStarted,
    ReturnedToTreasury,
    RosterLevelApproved,
    RosterRowsSubmitted,
    RosterSentBack,
    RosterSubmitted,
    WorkingDayScheduleEntered,
)
from contracts.versioning import UnknownEventType

Service = Literal["registry", "approval", "publicity", "payout", "notify"]


@dataclass(frozen=True, slots=True)
class Topic:
    """A Kafka topic, the one service that publishes on it, and the events it carries."""

    name: str
    owner: Service
    key: str
    events: tuple[type[Event], ...]


TOPICS: Final[tuple[Topic, ...]] = (
    Topic(
        "onecard.registry.beneficiaries",
        "registry",
        "beneficiary_id",
        (
            BeneficiaryRegistered,
            CardAccountDeclared,
            BeneficiaryDetailsCorrected,
            CardAccountVerified,
            CardAccountFrozen,
            CardAccountUnfrozen,
            CardAccountClosed,
            BeneficiaryDeceased,
            BeneficiaryMovedOut,
        ),
    ),
    Topic(
        "onecard.registry.rosters",
        "registry",
        "roster_id",
        (RosterRowsSubmitted, RosterSubmitted),
    ),
    Topic(
        "onecard.approval.rosters",
        "approval",
        "roster_id",
        (RosterLevelApproved, RosterSentBack, BatchApproved),
    ),
    Topic(
        "onecard.publicity.notices",
        "publicity",
        "roster_id",
        (PublicNoticeStarted, PublicNoticeHalted, PublicNoticeCompleted),
    ),
    Topic("onecard.publicity.calendar", "publicity", "year", (WorkingDayScheduleEntered,)),
    Topic(
        "onecard.payout.payments",
        "payout",
        "roster_id",
        (
            PaymentBatchIssued,
            PaymentInstructed,
            PaymentSucceeded,
            PaymentFailed,
            PaymentOutcomeUnknown,
            PaymentFlaggedForReview,
            PaymentReviewResolved,
            PaymentReversed,
            ReturnedToTreasury,
        ),
    ),
    Topic("onecard.notify.notifications", "notify", "notification_id", (PaymentNoticeSent,)),
)


def topic_of(event_type: str) -> Topic:
    """The topic that carries events of ``event_type``."""
    for topic in TOPICS:
        if any(event.event_type == event_type for event in topic.events):
            return topic
    raise UnknownEventType(f"no topic carries {event_type!r}")


def topics_of(owner: Service) -> tuple[Topic, ...]:
    """The topics ``owner`` publishes on."""
    return tuple(topic for topic in TOPICS if topic.owner == owner)


def partition_key(envelope: Envelope[Event]) -> bytes:
    """The Kafka message key of an event: the stream id of the entity it belongs to."""
    return envelope.stream_id.encode()
