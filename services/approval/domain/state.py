"""What one roster's approval stream says, folded: the facts of each submission, how its
notice ended, the rows counted, and the approval of the latest submission that opened."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from contracts.events import BatchApproved, RosterLevelApproved, RosterSentBack
from services.approval.domain.events import (
    ApprovalOpened,
    NoticeOutcomeReceived,
    SubmissionReceived,
    SubmittedRowsCounted,
)

ApprovalStatus = Literal["open", "approved", "sent_back"]
RosterStatus = Literal["awaiting_notice", "notice_halted", "open", "approved", "sent_back"]


@dataclass(frozen=True, slots=True)
class Facts:
    """One submission as the registry submitted it."""

    submission_no: int
    programme_code: str
    programme_name: str
    township_code: str
    township_name: str
    round_id: str
    row_count: int
    total_fen: int
    parts: int
    prepared_by: tuple[str, ...]

    @classmethod
    def of(cls, event: SubmissionReceived) -> Facts:
        return cls(
            event.submission_no,
            event.programme_code,
            event.programme_name,
            event.township_code,
            event.township_name,
            event.round_id,
            event.row_count,
            event.total_fen,
            event.parts,
            event.prepared_by,
        )


@dataclass(slots=True)
class Opened:
    """The approval of one submission: the chain it opened with and who signed each level
    off so far (``deciders[0]`` the first level)."""

    submission_no: int
    levels: tuple[str, ...]
    overdue_working_days: int
    prepared_by: tuple[str, ...]
    deciders: list[str] = field(default_factory=list)
    status: ApprovalStatus = "open"
    sent_back_by: str | None = None

    @property
    def level(self) -> int:
        """The level waiting for a decision (1-based); past the last once approved."""
        return len(self.deciders) + 1

    @property
    def role(self) -> str:
        return self.levels[min(len(self.deciders), len(self.levels) - 1)]


@dataclass(slots=True)
class RosterApproval:
    roster_id: str
    latest: int = 0
    """The newest submission any input named: older ones are superseded."""
    submissions: dict[int, Facts] = field(default_factory=dict)
    notices: dict[int, Literal["completed", "halted"]] = field(default_factory=dict)
    counted: dict[int, dict[int, tuple[int, int]]] = field(default_factory=dict)
    """Rows and fen of each counted part, by submission and part number."""
    approval: Opened | None = None

    def counted_totals(self, submission_no: int) -> tuple[int, int]:
        """Rows and fen of the parts counted, or (-1, -1) while a part is missing."""
        facts = self.submissions[submission_no]
        parts = self.counted.get(submission_no, {})
        if set(parts) != set(range(1, facts.parts + 1)):
            return (-1, -1)
        return sum(rows for rows, _ in parts.values()), sum(fen for _, fen in parts.values())

    @property
    def status(self) -> RosterStatus | None:
        """Where the latest submission stands (None before its facts arrived)."""
        approval = self.approval
        if approval is not None and approval.submission_no == self.latest:
            return approval.status
        if self.notices.get(self.latest) == "halted":
            return "notice_halted"
        if self.latest in self.submissions:
            return "awaiting_notice"
        return None


def evolve(state: RosterApproval | None, event: object) -> RosterApproval | None:
    roster_id = getattr(event, "roster_id", None)
    if state is None:
        if not isinstance(roster_id, str):
            return None
        state = RosterApproval(roster_id)
    if isinstance(event, SubmittedRowsCounted):
        state.counted.setdefault(event.submission_no, {})[event.part] = (
            event.row_count,
            event.total_fen,
        )
    elif isinstance(event, SubmissionReceived):
        state.submissions[event.submission_no] = Facts.of(event)
    elif isinstance(event, NoticeOutcomeReceived):
        state.notices[event.submission_no] = event.outcome
    elif isinstance(event, ApprovalOpened):
        facts = state.submissions[event.submission_no]
        state.approval = Opened(
            event.submission_no, event.levels, event.overdue_working_days, facts.prepared_by
        )
    else:
        _decided(state.approval, event)
    submission_no = getattr(event, "submission_no", 0)
    state.latest = max(state.latest, submission_no if isinstance(submission_no, int) else 0)
    return state


def _decided(approval: Opened | None, event: object) -> None:
    if approval is None or getattr(event, "submission_no", None) != approval.submission_no:
        return
    if isinstance(event, RosterLevelApproved):
        approval.deciders.append(event.decided_by)
    elif isinstance(event, RosterSentBack):
        approval.status, approval.sent_back_by = "sent_back", event.decided_by
    elif isinstance(event, BatchApproved):
        approval.status = "approved"
