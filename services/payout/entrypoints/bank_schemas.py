"""The bank API's documents: what the bank is handed (batches of instructions) and what it
pushes (per-row results), with their answers. Amounts are integer fen; JSON numbers with a
fraction are refused, never rounded."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from services.payout.domain.results import TEXT_LIMIT

Text = Annotated[str, Field(min_length=1, max_length=TEXT_LIMIT)]
MAX_RESULTS = 2_000


class InstructionOut(BaseModel):
    instruction_id: str = Field(description="The idempotency key: pay it at most once, ever.")
    roster_id: str
    row_no: int
    attempt: int
    payee_name: str
    account_no: str = Field(description="The card account to credit, in full.")
    amount_fen: int
    query: bool = Field(
        description="The outcome is unknown here: answer with its status (it may have been "
        "paid already under this id), never pay it a second time."
    )


class BatchHeader(BaseModel):
    issued_rows: int = Field(description="Rows of the bank's batch as first issued.")
    issued_fen: int


class BatchOut(BaseModel):
    batch_id: str
    roster_id: str
    round_id: str
    programme_name: str = Field(description="The programme's standard name (for the SMS).")
    township_code: str
    bank_code: str
    header: BatchHeader
    row_count: int = Field(description="Instructions handed now.")
    total_fen: int
    instructions: list[InstructionOut]


class BatchesOut(BaseModel):
    bank_code: str
    row_count: int
    total_fen: int
    batches: list[BatchOut]


class ResultIn(BaseModel):
    """One row's result: ``succeeded`` with the bank reference and value date, ``failed``
    with an agreed reason code, or ``unknown`` (the bank cannot tell yet)."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    instruction_id: Text
    status: Literal["succeeded", "failed", "unknown"]
    amount_fen: StrictInt = Field(ge=0, le=10**12)
    bank_reference: Text | None = None
    value_date: date | None = None
    reason_code: Annotated[str, Field(max_length=32)] | None = None
    reason_text: Text | None = None
    detail: Text | None = None


class ResultsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    results: list[ResultIn] = Field(min_length=1, max_length=MAX_RESULTS)


class ResultOut(BaseModel):
    instruction_id: str
    disposition: Literal["applied", "duplicate", "late", "flagged", "unmatched", "refused"]
    row_status: str | None = None
    next_instruction_id: str | None = Field(
        None, description="The automatic retry a transient failure issued (a new id)."
    )
    code: str | None = None
    message: str | None = None


class ResultsOut(BaseModel):
    """Each result's disposition, in the order sent. On a 4xx, ``code`` and ``message`` say
    why some were not taken; the ones answered otherwise were taken all the same."""

    code: str | None = None
    message: str | None = None
    summary: dict[str, int]
    results: list[ResultOut]
