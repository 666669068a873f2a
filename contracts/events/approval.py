"""Integration events published by the approval service (审核审批), the chain of sign-offs
a roster goes through after its public notice.

Stream: ``approval-<roster_id>``: one approval per submission of the roster. Amounts are
integer fen. The decider of every step is the envelope's actor; ``decided_by`` repeats the
user id so that readers of the event alone see it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from contracts.base import Event
from contracts.fields import Code, Count, Fen, Id, Text

SubmissionNo = Annotated[int, Field(strict=True, ge=1)]
Level = Annotated[int, Field(strict=True, ge=1)]
UserId = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class RosterLevelApproved(Event):
    """One level of the chain signed the roster off (审核通过) and passed it up.

    Guarantees: the decider holds the level's role in the roster's jurisdiction, did not
    prepare the roster, and approved no other level of this submission.
    """

    event_type = "RosterLevelApproved"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    level: Level
    role: Code
    decided_by: UserId
    reason: Text | None = None


class RosterSentBack(Event):
    """A level sent the roster back to the township that made it (退回), with its reasons.

    Guarantees: the approval of this submission is over; the roster is open again for its
    makers to correct (``row_nos`` are the rows the reasons name, empty for the whole roster)
    and must be submitted again, noticed again and approved from the first level.
    """

    event_type = "RosterSentBack"
    schema_version = 1

    roster_id: Id
    submission_no: SubmissionNo
    level: Level
    role: Code
    decided_by: UserId
    reasons: Annotated[tuple[Text, ...], Field(min_length=1)]
    row_nos: tuple[Count, ...] = ()


class BatchApproved(Event):
    """County finance approved the roster for payment after the whole approval chain.

    Guarantees: the public notice of this submission completed and its objections were
    resolved; every level of the programme's chain signed it off, each by a different user,
    none of whom prepared the roster. Only the rows of this submission may be paid, once.
    """

    event_type = "BatchApproved"
    schema_version = 2

    roster_id: Id
    round_id: Id
    submission_no: SubmissionNo
    programme_code: Code
    township_code: Code
    approved_row_count: Count
    total_fen: Fen
    levels: Annotated[tuple[UserId, ...], Field(min_length=1)]
    """Who signed each level off, first level first."""


def batch_approved_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 was the placeholder shape from before the approval chain existed (no release wrote
    it): what it did not know is read as ``unknown``, what it knew stays."""
    return {
        **data,
        "submission_no": 1,
        "programme_code": "unknown",
        "township_code": "unknown",
        "levels": ["unknown"],
    }
