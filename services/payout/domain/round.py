"""What one roster's round stream says, folded: the rows, terms and approval of each submission
as they arrived, whether (and from which submission) the round opened, what was blocked, and
whether every row holds its first instruction.

``evolve`` returns a new state and never changes the one it was given, so a decider can look
at the state an input would lead to without touching the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from contracts.events import SubmittedRow
from services.payout.domain.events import (
    BatchApprovalReceived,
    PaymentRoundBlocked,
    PaymentRoundOpened,
    RoundInstructed,
    SubmissionTermsReceived,
    SubmittedRowsReceived,
    UnpaidReturnReported,
)


@dataclass(frozen=True, slots=True)
class RoundState:
    roster_id: str
    parts: Mapping[int, Mapping[int, tuple[SubmittedRow, ...]]] = field(default_factory=dict)
    """Rows of each part, by submission and part number."""
    terms: Mapping[int, SubmissionTermsReceived] = field(default_factory=dict)
    approvals: Mapping[int, BatchApprovalReceived] = field(default_factory=dict)
    blocked: Mapping[int, str] = field(default_factory=dict)
    """The reason code of each approved submission that is not paid."""
    opened: PaymentRoundOpened | None = None
    instructed: bool = False
    returns: tuple[UnpaidReturnReported, ...] = ()

    def rows_of(self, submission_no: int) -> list[SubmittedRow]:
        """The submission's rows, part after part."""
        parts = self.parts.get(submission_no, {})
        return [row for part in sorted(parts) for row in parts[part]]

    def complete(self, submission_no: int) -> bool:
        """Whether every part of the submission's terms is known."""
        terms = self.terms.get(submission_no)
        if terms is None or terms.parts == 0:
            return False
        return set(self.parts.get(submission_no, {})) == set(range(1, terms.parts + 1))

    @property
    def paid_rows(self) -> list[SubmittedRow]:
        """The rows of the submission the round pays ([] before it opened)."""
        return [] if self.opened is None else self.rows_of(self.opened.submission_no)


def evolve(state: RoundState | None, event: object) -> RoundState | None:
    roster_id = getattr(event, "roster_id", None)
    if state is None:
        if not isinstance(roster_id, str):
            return None
        state = RoundState(roster_id)
    if isinstance(event, SubmittedRowsReceived):
        no = event.submission_no
        parts = {**state.parts.get(no, {}), event.part: event.rows}
        return replace(state, parts={**state.parts, no: parts})
    if isinstance(event, SubmissionTermsReceived):
        return replace(state, terms={**state.terms, event.submission_no: event})
    if isinstance(event, BatchApprovalReceived):
        return replace(state, approvals={**state.approvals, event.submission_no: event})
    if isinstance(event, PaymentRoundBlocked):
        return replace(state, blocked={**state.blocked, event.submission_no: event.reason_code})
    if isinstance(event, PaymentRoundOpened):
        return replace(state, opened=event)
    if isinstance(event, RoundInstructed):
        return replace(state, instructed=True)
    if isinstance(event, UnpaidReturnReported):
        return replace(state, returns=(*state.returns, event))
    return state
