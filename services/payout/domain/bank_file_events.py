"""The payout's record of a bank result file it applied (docs/bank-file-format.md).

Stream ``payoutresultfile-<sha256 of the file>``: the file's report — what became of each of
its lines, in parts of at most 1,000 (``ResultFileLinesReported``) — then the summary
(``ResultFileImported``), in one append made after every line was applied. The same file
again finds the stream and is answered with this first report, nothing applied again.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.base import Event
from contracts.fields import Code, Count, Fen, Text

Disposition = Literal["applied", "duplicate", "late", "flagged", "unmatched", "refused"]
LINES_PER_PART: Final = 1000


class ResultLineReport(BaseModel):
    """What became of one line: as ``apply_results`` answered it (ids and codes only: the
    report holds no personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    line_no: Annotated[int, Field(strict=True, ge=2)]
    instruction_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    disposition: Disposition
    row_status: Code | None = None
    next_instruction: Annotated[str, StringConstraints(max_length=100)] | None = None
    code: Code | None = None
    message: Text | None = None


class ResultFileLinesReported(Event):
    """Part ``part`` of a result file's report."""

    event_type = "ResultFileLinesReported"
    schema_version = 1

    file_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    part: Annotated[int, Field(strict=True, ge=1)]
    lines: Annotated[tuple[ResultLineReport, ...], Field(min_length=1, max_length=LINES_PER_PART)]


class ResultFileImported(Event):
    """A result file of ``bank_code`` was checked whole and each of its lines applied: how many
    lines, how much, and how many of each disposition (listed in the ``parts`` before)."""

    event_type = "ResultFileImported"
    schema_version = 1

    file_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    bank_code: Code
    file_name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    encoding: Literal["utf-8", "utf-8-sig", "gb18030"]
    line_count: Count
    total_fen: Fen
    dispositions: tuple[tuple[Disposition, Count], ...]
    parts: Count


BANK_FILE_EVENTS: Final = (ResultFileLinesReported, ResultFileImported)
