"""Batch files for an agent bank (docs/bank-file-format.md): ``pending_batches`` written down.

The same authorisation (``bank.exchange``) and the same query-log entry before a byte is
produced — a batch file holds names and card accounts in full, for the bank. One file per
pending batch; an instruction whose outcome is unknown is flagged for a status query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from contracts.pii import PiiCipher
from contracts.zones import local_date
from infra.eventstore.port import EventStore
from infra.projections.database import ProjectionDatabase
from services.payout.application.pending import PendingBatch, pending_batches
from services.payout.application.reads import ReadContext
from services.payout.domain.bank_file import DEFAULT_ENCODING, FileEncoding
from services.payout.domain.bank_file_layouts import BatchLine, write_batch_file

EXPORT_LIMIT: Final = 200_000
"""Open instructions one export writes at most (the rest come with the next)."""


@dataclass(frozen=True, slots=True)
class BatchFile:
    """One pending batch as the bank file handed to the bank."""

    file_name: str
    batch_id: str
    roster_id: str
    row_count: int
    total_fen: int
    data: bytes


async def write_batch_files(
    *,
    store: EventStore,
    projections: ProjectionDatabase,
    cipher: PiiCipher,
    read_context: ReadContext,
    bank_code: str,
    encoding: FileEncoding = DEFAULT_ENCODING,
) -> list[BatchFile]:
    """The bank's pending batches in the reader's jurisdiction, one file each. ``Forbidden``
    unless the reader may exchange with banks; the read is logged before anything is
    written (``pending_batches``)."""
    batches = await pending_batches(
        store=store,
        projections=projections,
        cipher=cipher,
        read_context=read_context,
        bank_code=bank_code,
        limit=EXPORT_LIMIT,
    )
    day = local_date(read_context.at)
    return [_batch_file(batch, encoding, f"{day:%Y%m%d}") for batch in batches]


def _batch_file(batch: PendingBatch, encoding: FileEncoding, day: str) -> BatchFile:
    lines = [
        BatchLine(
            instruction_id=i.instruction_id,
            account_no=i.account_no.reveal(),
            name=i.name,
            amount_fen=i.amount_fen,
            programme_name=batch.programme_name,
            query=i.query,
        )
        for i in batch.instructions
    ]
    return BatchFile(
        file_name=f"{batch.bank_code}-{batch.batch_id}-{day}.csv",
        batch_id=batch.batch_id,
        roster_id=batch.roster_id,
        row_count=batch.row_count,
        total_fen=batch.total_fen,
        data=write_batch_file(lines, encoding),
    )
