"""The integration events of every service, and the global registry they are read through.

One module per owning service; ``contracts.topics`` says which topic carries each. To change
an event's shape: bump its ``schema_version``, add its ``v<N-1>_to_v<N>`` upcaster to
``UPCASTERS`` below, and export its schema (``onecard contracts export-schemas``).
"""

from __future__ import annotations

from typing import Final

from contracts.events.approval import (
    BatchApproved,
    RosterLevelApproved,
    RosterSentBack,
    batch_approved_v1_to_v2,
)
from contracts.events.notify import PaymentNoticeSent, payment_notice_sent_v1_to_v2
from contracts.events.payout import (
    PaymentBatchIssued,
    PaymentFailed,
    PaymentFlaggedForReview,
    PaymentInstructed,
    PaymentOutcomeUnknown,
    PaymentReversed,
    PaymentReviewResolved,
    PaymentSucceeded,
    ReturnedToTreasury,
    payment_failed_v1_to_v2,
    payment_succeeded_v1_to_v2,
    returned_to_treasury_v1_to_v2,
)
from contracts.events.publicity import (
    PublicNoticeCompleted,
    PublicNoticeHalted,
    PublicNoticeStarted,
    WorkingDayScheduleEntered,
    public_notice_completed_v1_to_v2,
)
from contracts.events.registry import (
    BeneficiaryDeceased,
    BeneficiaryDetailsCorrected,
    BeneficiaryMovedOut,
    BeneficiaryRegistered,
    CardAccountClosed,
    CardAccountDeclared,
    CardAccountFrozen,
    CardAccountUnfrozen,
    CardAccountVerified,
    RosterRowsSubmitted,
    RosterSubmitted,
    SubmittedRow,
    roster_submitted_v1_to_v2,
)
from contracts.versioning import EventRegistry, Upcaster

UPCASTERS: Final[dict[tuple[str, int], Upcaster]] = {
    ("RosterSubmitted", 1): roster_submitted_v1_to_v2,
    ("PublicNoticeCompleted", 1): public_notice_completed_v1_to_v2,
    ("BatchApproved", 1): batch_approved_v1_to_v2,
    ("PaymentSucceeded", 1): payment_succeeded_v1_to_v2,
    ("PaymentFailed", 1): payment_failed_v1_to_v2,
    ("ReturnedToTreasury", 1): returned_to_treasury_v1_to_v2,
    ("PaymentNoticeSent", 1): payment_notice_sent_v1_to_v2,
}

EVENTS: Final = EventRegistry(
    [
        BeneficiaryRegistered,
        CardAccountDeclared,
        BeneficiaryDetailsCorrected,
        CardAccountVerified,
        CardAccountFrozen,
        CardAccountUnfrozen,
        CardAccountClosed,
        BeneficiaryDeceased,
        BeneficiaryMovedOut,
        RosterRowsSubmitted,
        RosterSubmitted,
        RosterLevelApproved,
        RosterSentBack,
        BatchApproved,
        PublicNoticeStarted,
        PublicNoticeHalted,
        PublicNoticeCompleted,
        WorkingDayScheduleEntered,
        PaymentBatchIssued,
        PaymentInstructed,
        PaymentSucceeded,
        PaymentFailed,
        PaymentOutcomeUnknown,
        PaymentFlaggedForReview,
        PaymentReviewResolved,
        PaymentReversed,
        ReturnedToTreasury,
        PaymentNoticeSent,
    ],
    UPCASTERS,
)
"""Every integration event of the platform, at its current version."""

__all__ = [
    "EVENTS",
    "BatchApproved",
    "BeneficiaryDeceased",
    "BeneficiaryDetailsCorrected",
    "BeneficiaryMovedOut",
    "BeneficiaryRegistered",
    "CardAccountClosed",
    "CardAccountDeclared",
    "CardAccountFrozen",
    "CardAccountUnfrozen",
    "CardAccountVerified",
    "PaymentBatchIssued",
    "PaymentFailed",
    "PaymentFlaggedForReview",
    "PaymentInstructed",
    "PaymentNoticeSent",
    "PaymentOutcomeUnknown",
    "PaymentReversed",
    "PaymentReviewResolved",
    "PaymentSucceeded",
    "PublicNoticeCompleted",
    "PublicNoticeHalted",
    "PublicNoticeStarted",
    "ReturnedToTreasury",
    "RosterLevelApproved",
    "RosterRowsSubmitted",
    "RosterSentBack",
    "RosterSubmitted",
    "SubmittedRow",
    "WorkingDayScheduleEntered",
]
