"""The payout's record of a reconciliation with an agent bank (对账, 002 §2(2) item 4: county
finance reconciles with each agent bank at month end and year end).

Stream ``payoutreconciliation-<bank_code>-<period>`` (``2025-10`` a month, ``2025`` a year, in
China's calendar): every reconciliation run against a statement of the bank, as an auditor
replays it — the figures of both sides and every mismatch with its row. The mismatches come in
parts of at most 1,000 (``StatementMismatchesListed``), then the summary, in one append.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.base import Event
from contracts.fields import Code, Count, Fen, Id, Text

MismatchKind = Literal[
    "not_recorded", "not_on_statement", "amount_differs", "status_differs", "reference_differs"
]
OurStatus = Literal["pending", "unknown", "succeeded", "rejected", "returned"]
PeriodKind = Literal["month", "year"]
LineId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
MISMATCHES_PER_PART: Final = 1000


class StatementFigures(BaseModel):
    """One side's statement of a bank and period: rows and fen per status. ``sent`` (ours:
    instructions issued in the period) and ``open`` (ours: issued by the period's end and still
    without a definite answer) are 0 on the bank's side."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    sent_rows: Count = 0
    sent_fen: Fen = 0
    succeeded_rows: Count = 0
    succeeded_fen: Fen = 0
    rejected_rows: Count = 0
    rejected_fen: Fen = 0
    returned_rows: Count = 0
    returned_fen: Fen = 0
    open_rows: Count = 0
    open_fen: Fen = 0


class StatementMismatch(BaseModel):
    """One disagreement, with the row it concerns (``roster_id``/``row_no`` None when the
    bank's line names no instruction of ours) and both sides' view of it."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    kind: MismatchKind
    instruction_id: LineId
    roster_id: Id | None = None
    row_no: Count | None = None
    line_no: Count | None = None
    """The statement's line (None: not on the statement)."""
    ours_status: OurStatus | None = None
    bank_status: Literal["succeeded", "rejected", "returned"] | None = None
    ours_fen: Fen | None = None
    bank_fen: Fen | None = None
    ours_reference: Text | None = None
    bank_reference: Text | None = None


class StatementMismatchesListed(Event):
    """Part ``part`` of the mismatches of reconciliation ``reconciliation_id``."""

    event_type = "StatementMismatchesListed"
    schema_version = 1

    reconciliation_id: Id
    part: Annotated[int, Field(strict=True, ge=1)]
    mismatches: Annotated[
        tuple[StatementMismatch, ...], Field(min_length=1, max_length=MISMATCHES_PER_PART)
    ]


class BankStatementReconciled(Event):
    """A bank's statement of a period compared with the payout's own: both sides' figures, how
    many mismatches of each kind (listed in the ``parts`` before this event), and the
    statement's SHA-256. ``balanced`` when there is none."""

    event_type = "BankStatementReconciled"
    schema_version = 1

    reconciliation_id: Id
    bank_code: Code
    period: Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2})?$")]
    period_kind: PeriodKind
    statement_sha256: Sha256
    statement_lines: Count
    ours: StatementFigures
    bank: StatementFigures
    mismatch_count: Count
    mismatch_kinds: tuple[tuple[MismatchKind, Count], ...]
    parts: Count
    balanced: bool


RECONCILIATION_EVENTS: Final = (StatementMismatchesListed, BankStatementReconciled)
