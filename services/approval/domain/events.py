"""The approval service's private events: what it learned from the registry and publicity,
when an approval opened, and each programme's chain. Other services rely only on the
integration events of ``contracts/events/approval.py``; these may change (with upcasters,
since they are kept ten years like every event).

Streams: ``approval-<roster_id>`` (one roster, every submission) and
``approvalchain-<programme_code>`` (one programme's chain).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Final, Literal

from pydantic import Field, StringConstraints

from contracts.base import Event
from contracts.events import EVENTS
from contracts.fields import Code, Count, Fen, Id, Text

SubmissionNo = Annotated[int, Field(strict=True, ge=1)]
UserId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Levels = Annotated[tuple[Code, ...], Field(min_length=1, max_length=6)]
OverdueDays = Annotated[int, Field(strict=True, ge=1, le=30)]


class SubmittedRowsCounted(Event):
    """One ``RosterRowsSubmitted`` part, counted: how many rows and how much money it held.
    The counts of every part are checked against the submission's totals before anyone can
    sign it off (002 §3(4): finance approves what it checked)."""

    event_type = "SubmittedRowsCounted"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    part: Annotated[int, Field(strict=True, ge=1)]
    row_count: Count
    total_fen: Fen


class SubmissionReceived(Event):
    """The registry submitted this roster (``RosterSubmitted``): what the approval needs of
    it. ``prepared_by`` are its makers, who may decide no level of it (001 art.11)."""

    event_type = "SubmissionReceived"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    programme_code: Code
    programme_name: Text
    township_code: Code
    township_name: Text
    round_id: Id
    row_count: Count
    total_fen: Fen
    parts: Count
    prepared_by: tuple[UserId, ...]


class NoticeOutcomeReceived(Event):
    """How the submission's public notice ended: ``completed`` (no objection open or upheld:
    approval may start) or ``halted`` (an objection was upheld: the roster went back to the
    township and this submission is never approved, 002 §3(2))."""

    event_type = "NoticeOutcomeReceived"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    outcome: Literal["completed", "halted"]
    started_on: date | None = None
    ended_on: date | None = None
    findings: tuple[Text, ...] = ()


class ApprovalOpened(Event):
    """The submission's approval started at its first level, once both its submission and
    its completed notice were known. It keeps the chain it opened with (``levels``, the
    role of each level, first level first) even if the programme's chain changes later.
    A newer submission's approval supersedes any older one of the same roster."""

    event_type = "ApprovalOpened"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    levels: Levels
    overdue_working_days: OverdueDays
    chain_version: Count
    """The version of the programme's chain (0: the default chain)."""


class ApprovalChainConfigured(Event):
    """A programme's approval chain: the role of each level, first level first, and after
    how many working days a level waiting for its decision is overdue. Applies to the
    approvals that open from now on. ``jurisdiction_code`` is where it was configured: only
    an administrator reaching it may change it again."""

    event_type = "ApprovalChainConfigured"
    schema_version = 1

    programme_code: Code
    levels: Levels
    overdue_working_days: OverdueDays
    jurisdiction_code: Code | None = None


APPROVAL_EVENTS: Final = EVENTS.including(
    [
        SubmittedRowsCounted,
        SubmissionReceived,
        NoticeOutcomeReceived,
        ApprovalOpened,
        ApprovalChainConfigured,
    ]
)
"""Every event the approval service reads or writes: the integration events and its own."""
