"""Result files from an agent bank (docs/bank-file-format.md): checked whole, then applied.

A result file is checked as a whole before any line is applied (a refused file changes
nothing), then every line goes through ``apply_results`` like the bank's HTTP answers, and the
file's report is recorded under the file's SHA-256 (``payoutresultfile-<sha256>``): the same
file again is answered with that first report, nothing applied twice.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, replace

import structlog

from contracts.pii import PiiCipher
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import NO_STREAM, EventStore, WrongExpectedVersion
from infra.identity.permissions import Action, authorize
from infra.projections.database import ProjectionDatabase
from infra.stream_commands import append_decided
from services.payout.application.results import ResultAnswer, apply_results
from services.payout.application.streams import read
from services.payout.domain.bank_file import DEFAULT_ENCODING, FileEncoding
from services.payout.domain.bank_file_events import (
    LINES_PER_PART,
    ResultFileImported,
    ResultFileLinesReported,
    ResultLineReport,
)
from services.payout.domain.bank_file_layouts import read_result_file

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class ResultFileReport:
    """What became of each line of a result file; ``already_imported``: this is the report of
    the file's first import, answered again."""

    file_sha256: str
    bank_code: str
    file_name: str
    total_fen: int
    lines: tuple[ResultLineReport, ...]
    already_imported: bool = False

    @property
    def dispositions(self) -> dict[str, int]:
        return dict(sorted(Counter(line.disposition for line in self.lines).items()))


def result_file_stream(file_sha256: str) -> str:
    return f"payoutresultfile-{file_sha256}"


async def import_result_file(
    *,
    store: EventStore,
    codec: EventCodec,
    cipher: PiiCipher,
    projections: ProjectionDatabase,
    bank_code: str,
    data: bytes,
    file_name: str,
    context: CommandContext,
    encoding: FileEncoding = DEFAULT_ENCODING,
) -> ResultFileReport:
    """Apply the bank's result file. Refusals, nothing applied: ``Forbidden`` unless the actor
    may exchange with banks; ``Refused`` (``bank_file_*``) for a file that is not sound as a
    whole (checksum, truncation, encoding, columns, amounts, duplicates, incomplete lines).
    Each line's answer is then in the report (a line refused by its row — another amount,
    another bank — is ``refused`` there, with its code)."""
    authorize(context.actor, Action.BANK_EXCHANGE, context.actor.jurisdiction_code)
    digest = hashlib.sha256(data).hexdigest()
    stream_id = result_file_stream(digest)
    first = await recorded_report(store, codec, digest)
    if first is not None:
        return first
    try:
        parsed = read_result_file(data, bank_code, encoding)
    except Refused as refused:
        log.warning("payout.result_file_refused", bank_code=bank_code, code=refused.code)
        raise
    keyed = replace(context, idempotency_key=f"{context.idempotency_key}/file/{digest[:16]}")
    answers = await apply_results(
        store=store,
        codec=codec,
        cipher=cipher,
        projections=projections,
        results=[result for _, result in parsed],
        context=keyed,
    )
    lines = tuple(
        _line(line_no, answer) for (line_no, _), answer in zip(parsed, answers, strict=True)
    )
    report = ResultFileReport(
        digest, bank_code, file_name[:200] or "-", sum(r.amount_fen for _, r in parsed), lines
    )
    try:
        await append_decided(store, codec, keyed, stream_id, _recorded(report, encoding), NO_STREAM)
    except WrongExpectedVersion:
        return await recorded_report(store, codec, digest) or report
    return report


def _line(line_no: int, answer: ResultAnswer) -> ResultLineReport:
    return ResultLineReport(
        line_no=line_no,
        instruction_id=answer.instruction_id,
        disposition=answer.disposition,
        row_status=answer.row_status,
        next_instruction=answer.next_instruction,
        code=answer.code,
        message=answer.message[:200] if answer.message else None,
    )


def _recorded(
    report: ResultFileReport, encoding: FileEncoding
) -> list[ResultFileLinesReported | ResultFileImported]:
    parts: list[ResultFileLinesReported | ResultFileImported] = [
        ResultFileLinesReported(
            file_sha256=report.file_sha256,
            part=index + 1,
            lines=report.lines[start : start + LINES_PER_PART],
        )
        for index, start in enumerate(range(0, len(report.lines), LINES_PER_PART))
    ]
    summary = ResultFileImported(
        file_sha256=report.file_sha256,
        bank_code=report.bank_code,
        file_name=report.file_name,
        encoding=encoding,
        line_count=len(report.lines),
        total_fen=report.total_fen,
        dispositions=tuple(report.dispositions.items()),
        parts=len(parts),
    )
    return [*parts, summary]


async def recorded_report(
    store: EventStore, codec: EventCodec, file_sha256: str
) -> ResultFileReport | None:
    """The report of the file's first import (None: never imported)."""
    events = [
        envelope.event for envelope in await read(store, codec, result_file_stream(file_sha256))
    ]
    summary = next((e for e in events if isinstance(e, ResultFileImported)), None)
    if summary is None:
        return None
    lines = tuple(
        line for e in events if isinstance(e, ResultFileLinesReported) for line in e.lines
    )
    return ResultFileReport(
        summary.file_sha256,
        summary.bank_code,
        summary.file_name,
        summary.total_fen,
        lines,
        already_imported=True,
    )
