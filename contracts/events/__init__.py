"""The integration events of every service, and the global registry they are read through.

One module per owning service; ``contracts.topics`` says which topic carries each. To change
an event's shape: bump its ``schema_version``, add its ``v<N-1>_to_v<N>`` upcaster to
``UPCASTERS`` below, and export its schema (``onecard contracts export-schemas``).
"""

from __future__ import annotations

from typing import Final

from contracts.events.approval import BatchApproved
from contracts.events.notify import PaymentNoticeSent
from contracts.events.payout import PaymentFailed, PaymentSucceeded, ReturnedToTreasury
from contracts.events.publicity import PublicNoticeCompleted
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
    RosterSubmitted,
)
from contracts.versioning import EventRegistry, Upcaster

UPCASTERS: Final[dict[tuple[str, int], Upcaster]] = {}

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
        RosterSubmitted,
        BatchApproved,
        PublicNoticeCompleted,
        PaymentSucceeded,
        PaymentFailed,
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
    "PaymentFailed",
    "PaymentNoticeSent",
    "PaymentSucceeded",
    "PublicNoticeCompleted",
    "ReturnedToTreasury",
    "RosterSubmitted",
]
