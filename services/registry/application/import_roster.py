"""Import a roster file: claim the file, validate every row, append the import whole.

The file is read once, a chunk of lines at a time. Each chunk is judged — its people
fetched from the register in one query, each row's own rules, each row's stored JSON — in
this process or, for a large file, in import workers (``adapters.import_workers``), several
chunks at once; the chunks come back in order, and here the rules across rows give each
row its verdict, and each part of rows is encoded into a spool on disk as soon as it is
full, so a million-row file never sits in memory, neither as objects nor as bytes. The spool
is appended in one transaction at the end (``EventStore.append_spooled``): a file that fails
half-way, a worker that dies, or a crash, stores nothing (docs/adr/007-roster-imports.md).
"""

from __future__ import annotations

import gc
from array import array
from bisect import bisect_left
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, aclosing, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Protocol

from contracts.base import Event
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.eventstore.spool import EventSpool
from infra.pii.cipher import FieldCipher
from infra.projections.database import ProjectionDatabase
from services.registry.adapters.register_lookup import fetch_register
from services.registry.adapters.row_json import row_tail, with_rows
from services.registry.application.claims import claim
from services.registry.application.cross_checks import CrossCheckIndex, RoundIndex
from services.registry.application.judge_rows import (
    ChunkJudge,
    ChunkJudges,
    JudgedChunk,
    JudgingTerms,
)
from services.registry.application.roster_commands import load_roster
from services.registry.domain import roster_refusals as refuse
from services.registry.domain.events import RosterFileClaimed, RosterRowsImported
from services.registry.domain.roster import (
    ROWS_PER_EVENT,
    Roster,
    RowState,
    close_import,
    import_states,
    start_import,
    supersede,
)
from services.registry.domain.roster_rows import Column, RosterLine
from services.registry.domain.validation import RosterOutcome, RosterSummary
from services.registry.domain.validation_judge import JudgedRow
from services.registry.domain.validation_programme import ProgrammeRules
from services.registry.domain.validation_tally import RosterTally

CHUNK = 900
"""Lines per register query."""
_ROW_NO = Column.ROW_NO


class RosterSource(Protocol):
    """A roster file that passed the whole-file checks (``adapters.roster_files.RosterFile``)."""

    @property
    def content_hash(self) -> str: ...

    @property
    def size(self) -> int:
        """Bytes."""
        ...

    def lines(self) -> Iterator[RosterLine]: ...


class ImportWorkers(Protocol):
    """Worker processes that judge a large file's chunks (``adapters.import_workers``)."""

    def worth_it(self, size: int) -> bool:
        """Whether a file of ``size`` bytes is large enough to start workers for."""
        ...

    def judging(self, terms: JudgingTerms) -> AbstractAsyncContextManager[ChunkJudges]:
        """Workers started for one import, stopped when it ends."""
        ...


@dataclass(frozen=True, slots=True)
class ImportReport:
    roster_id: str
    import_id: str
    summary: RosterSummary
    verdicts_by_rule: dict[str, int]
    rejected_lines: list[tuple[int, tuple[str, ...]]]
    """Line numbers of rejected rows with their rule codes (the first 1,000)."""
    already_imported: bool = False


@dataclass(frozen=True, slots=True)
class Checks:
    """What validation is checked against besides the register (see ``cross_checks``)."""

    programme: ProgrammeRules
    today: date
    lists: CrossCheckIndex = field(default_factory=CrossCheckIndex)
    round: RoundIndex = field(default_factory=RoundIndex)

    def terms(self) -> JudgingTerms:
        return JudgingTerms(
            self.programme, self.today, self.lists.kinds_by_index, self.round.roster_of
        )


async def import_roster_file(
    *,
    store: EventStore,
    codec: EventCodec,
    projections: ProjectionDatabase,
    cipher: FieldCipher,
    roster_id: str,
    source: RosterSource,
    file_name: str,
    checks: Checks,
    context: CommandContext,
    progress: Callable[[int], None] | None = None,
    workers: ImportWorkers | None = None,
) -> ImportReport:
    """Validate and store the file's rows in the roster; the same file again is a no-op.

    The verdicts, and the events stored, are the same with or without ``workers``.
    Raises ``Refused`` (nothing stored) for a roster that is missing, submitted or withdrawn,
    or a file already imported into another roster; ``RosterFileError`` when the file turns
    out unreadable part-way (nothing stored either).
    """
    stream_id = f"roster-{roster_id}"
    state, version = await load_roster(store, codec, roster_id)
    import_id = f"file-{source.content_hash[:32]}"
    roster = start_import(state, import_id)
    if roster is None:
        return ImportReport(roster_id, import_id, _empty(), {}, [], already_imported=True)
    await claim(
        store,
        codec,
        context,
        stream_id=f"roster-file-{source.content_hash}",
        claim=RosterFileClaimed(roster_id=roster_id, import_id=import_id),
        same=lambda held: (held.roster_id, held.import_id) == (roster_id, import_id),
        taken=lambda held: refuse.file_already_imported(held.roster_id),
    )
    terms = checks.terms()
    judging: AbstractAsyncContextManager[ChunkJudges] = nullcontext(
        _JudgedHere(projections, cipher, terms)
    )
    if workers is not None and workers.worth_it(source.size):
        judging = workers.judging(terms)
    with EventSpool() as spool, _unscanned_while_growing():
        run = _Run(
            RosterTally(checks.programme),
            _Events(roster, import_id, codec, context, stream_id, spool),
        )
        async with judging as judges:
            await run.feed(judges, source.lines(), progress)
        outcome = run.close(file_name=file_name, content_hash=source.content_hash)
        await store.append_spooled(stream_id, spool, expected_version=version)
    summary = outcome.summary
    return ImportReport(roster_id, import_id, summary, dict(summary.by_rule), run.rejected)


class _JudgedHere:
    """Chunks judged in this process, one after the other."""

    def __init__(
        self, projections: ProjectionDatabase, cipher: FieldCipher, terms: JudgingTerms
    ) -> None:
        self._projections = projections
        self._cipher = cipher
        self._judge = ChunkJudge(terms, cipher)

    async def judged(
        self, chunks: Iterator[list[RosterLine]], first_row_no: int
    ) -> AsyncGenerator[JudgedChunk, None]:
        row_no = first_row_no
        for lines in chunks:
            async with self._projections.transaction() as conn:
                register = await fetch_register(conn, lines, cipher=self._cipher)
            yield (lines, *self._judge.judge(row_no, lines, register))
            row_no += len(lines)


@dataclass(frozen=True, slots=True)
class _Events:
    """The import's events, encoded into the spool as they are decided."""

    roster: Roster
    import_id: str
    codec: EventCodec
    context: CommandContext
    stream_id: str
    spool: EventSpool

    def add(self, event: Event) -> None:
        envelope = self.context.envelope(event, stream_id=self.stream_id, index=len(self.spool))
        self.spool.add(self.codec.encode(envelope))

    def part(self, rows: Sequence[bytes], states: dict[int, RowState]) -> None:
        """Decide and encode the next part at once (the roster is evolved with it); what is
        alive then is long-lived, and leaves the full collections (``_unscanned_while_growing``).
        The rows are the ones the roster's decider was given (``import_states``), encoded
        already (``adapters.row_json``)."""
        import_states(self.roster, self.import_id, states)
        part = RosterRowsImported(
            roster_id=self.roster.roster_id,
            import_id=self.import_id,
            part=len(self.spool),
            rows=(),
        )
        envelope = self.context.envelope(part, stream_id=self.stream_id, index=len(self.spool))
        self.spool.add(with_rows(self.codec.encode(envelope), rows))
        gc.freeze()


@contextmanager
def _unscanned_while_growing() -> Iterator[None]:
    """Keep what the import has built so far out of the garbage collector's full scans.

    The roster's state and the tally grow by a few objects a row and live until the import
    ends; without this, every full collection scans them all again (a million-row import
    spent a sixth of its time there, measured). Each part moves everything alive into the
    permanent generation (``gc.freeze``); objects still die by reference counting as usual,
    and the end of the import returns them to the collector.
    """
    try:
        yield
    finally:
        gc.unfreeze()


class _Run:
    """One import under way: judged chunks are added in order, given their verdicts, and
    stored by part."""

    def __init__(self, tally: RosterTally, events: _Events) -> None:
        self._tally = tally
        self._events = events
        self._first_row_no = self._row_no = events.roster.next_row_no
        self._rows: list[bytes] = []
        self._states: dict[int, RowState] = {}
        self._shared_states: dict[tuple[str, int | None], RowState] = {}
        self._lines = array("q")  # the file's line numbers in feed order (increasing): 8 B a row
        self._replaced: dict[int, int] = {}
        self.rejected: list[tuple[int, tuple[str, ...]]] = []
        """Line numbers of rejected rows with their rule codes (the first 1,000)."""

    @property
    def fed(self) -> int:
        return len(self._lines)

    async def feed(
        self,
        judges: ChunkJudges,
        lines: Iterable[RosterLine],
        progress: Callable[[int], None] | None,
    ) -> None:
        """Every line of the file, judged a chunk at a time, in order."""
        chunks = _chunks(lines, CHUNK)
        async with aclosing(judges.judged(chunks, self._first_row_no)) as judged_chunks:
            async for judged in judged_chunks:
                self.add(*judged)
                if progress is not None:
                    progress(self.fed)

    def add(
        self, lines: Sequence[RosterLine], judged: Sequence[JudgedRow], heads: Sequence[bytes]
    ) -> None:
        add, rows, states, shared = self._tally.add, self._rows, self._states, self._shared_states
        for line, row, head in zip(lines, judged, heads, strict=True):
            row_no = self._row_no
            self._row_no += 1
            findings, verdict = add(row)
            self._lines.append(row.line_no)
            if line.cells.get(_ROW_NO):
                self._replaced[row_no] = _row_number(line)
            rows.append(head + row_tail(verdict, findings))
            if findings:
                rules = tuple([finding.rule for finding in findings])
                states[row_no] = RowState(verdict, row.amount_fen, rules)
                if verdict == "rejected" and len(self.rejected) < 1000:
                    self.rejected.append((row.line_no, rules))
            else:
                key = (verdict, row.amount_fen)
                state = shared.get(key)
                if state is None:
                    state = shared[key] = RowState(verdict, row.amount_fen, ())
                states[row_no] = state
            if len(rows) == ROWS_PER_EVENT:
                self._events.part(rows, states)
                rows.clear()
                states.clear()

    def close(self, *, file_name: str, content_hash: str) -> RosterOutcome:
        """The last part, the rows replaced, the late warnings and the summary."""
        events, roster = self._events, self._events.roster
        if self._rows:
            events.part(self._rows, self._states)
        if not roster.rows:
            raise refuse.no_rows()
        for removal in supersede(roster, events.import_id, self._replaced):
            events.add(removal)
        outcome = self._tally.finish()
        late = {
            self._first_row_no + bisect_left(self._lines, line_no): tuple(f.rule for f in found)
            for line_no, found in outcome.late.items()
        }
        for event in close_import(
            roster, events.import_id, late, file_name=file_name, content_hash=content_hash
        ):
            events.add(event)
        return outcome


def _row_number(line: RosterLine) -> int:
    text = line.cells.get(_ROW_NO, "")
    if not text.isdigit():
        raise refuse.not_replaceable(0) from None
    return int(text)


def _chunks(lines: Iterable[RosterLine], size: int) -> Iterator[list[RosterLine]]:
    iterator = iter(lines)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _empty() -> RosterSummary:
    return RosterSummary(rows=0, accepted=0, warned=0, rejected=0, by_rule={}, payable_fen=0)
