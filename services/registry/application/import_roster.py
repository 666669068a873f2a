"""Import a roster file: claim the file, validate every row, append the import whole.

The file is read once, a chunk of lines at a time: each chunk's people are fetched from the
register in one query, each line is judged as it is fed, and each part of rows is encoded
into a spool on disk as soon as it is full, so a million-row file never sits in memory,
neither as objects nor as bytes. The spool is appended in one transaction at the end
(``EventStore.append_spooled``): a file that fails half-way, or a crash, stores nothing
(docs/adr/007-roster-imports.md).
"""

from __future__ import annotations

import gc
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
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
from services.registry.adapters.register_lookup import FetchedRegister, fetch_register
from services.registry.application.claims import claim
from services.registry.application.cross_checks import CrossCheckIndex, RoundIndex
from services.registry.application.roster_commands import load_roster
from services.registry.application.stored_rows import row_of
from services.registry.domain import roster_refusals as refuse
from services.registry.domain.events import RosterFileClaimed, RosterRow
from services.registry.domain.roster import (
    ROWS_PER_EVENT,
    Roster,
    close_import,
    evolve,
    import_part,
    start_import,
    supersede,
)
from services.registry.domain.roster_rows import Column, RosterLine
from services.registry.domain.validation import RosterOutcome, RosterSummary, RosterValidator
from services.registry.domain.validation_ports import RegisteredPerson
from services.registry.domain.validation_programme import ProgrammeRules

CHUNK = 900
"""Lines per register query."""
_ROW_NO = Column.ROW_NO


class RosterSource(Protocol):
    """A roster file that passed the whole-file checks (``adapters.roster_files.RosterFile``)."""

    @property
    def content_hash(self) -> str: ...

    def lines(self) -> Iterator[RosterLine]: ...


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


class ChunkPorts:
    """Validation's ports over the people fetched for the chunk being fed: the register,
    the cross-check lists by the blind indexes computed for the fetch, and the round's
    other rosters by the beneficiary each ID was matched to."""

    def __init__(self, checks: Checks) -> None:
        self.current = FetchedRegister({})
        self._checks = checks

    def person(self, citizen_id: str) -> RegisteredPerson | None:
        return self.current.person(citizen_id)

    def kinds_of(self, citizen_id: str) -> frozenset[str]:
        index = self.current.index_of(citizen_id)
        return self._checks.lists.kinds(index) if index is not None else frozenset()

    def contains(self, citizen_id: str) -> str | None:
        beneficiary = self.current.beneficiary_id(citizen_id)
        return self._checks.round.roster_of.get(beneficiary) if beneficiary else None


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
) -> ImportReport:
    """Validate and store the file's rows in the roster; the same file again is a no-op.

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
    ports = ChunkPorts(checks)
    validator = RosterValidator(
        programme=checks.programme,
        register=ports,
        other_rosters=ports,
        lists=ports,
        today=checks.today,
    )
    with EventSpool() as spool, _unscanned_while_growing():
        run = _Run(validator, _Events(roster, import_id, codec, context, stream_id, spool))
        for chunk in _chunks(source.lines(), CHUNK):
            async with projections.transaction() as conn:
                ports.current = await fetch_register(conn, chunk, cipher=cipher)
            run.feed(chunk, ports.current)
            if progress is not None:
                progress(run.fed)
        outcome = run.close(file_name=file_name, content_hash=source.content_hash)
        await store.append_spooled(stream_id, spool, expected_version=version)
    summary = outcome.summary
    return ImportReport(roster_id, import_id, summary, dict(summary.by_rule), run.rejected)


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

    def part(self, rows: Sequence[RosterRow]) -> None:
        """Decide and encode the next part at once (the roster is evolved with it); what is
        alive then is long-lived, and leaves the full collections (``_unscanned_while_growing``)."""
        part = import_part(self.roster, self.import_id, len(self.spool), rows)
        evolve(self.roster, part)
        self.add(part)
        gc.freeze()


@contextmanager
def _unscanned_while_growing() -> Iterator[None]:
    """Keep what the import has built so far out of the garbage collector's full scans.

    The roster's state and the validator's grow by a few objects a row and live until the
    import ends; without this, every full collection scans them all again (a million-row
    import spent a sixth of its time there, measured). Each part moves everything alive into
    the permanent generation (``gc.freeze``); objects still die by reference counting as
    usual, and the end of the import returns them to the collector.
    """
    try:
        yield
    finally:
        gc.unfreeze()


class _Run:
    """One import under way: lines are fed chunk by chunk, judged, and stored by part."""

    def __init__(self, validator: RosterValidator, events: _Events) -> None:
        self._validator = validator
        self._events = events
        self._first_row_no = self._row_no = events.roster.next_row_no
        self._pending: list[RosterRow] = []
        self._lines = array("q")  # the file's line numbers in feed order (increasing): 8 B a row
        self._replaced: dict[int, int] = {}
        self.rejected: list[tuple[int, tuple[str, ...]]] = []
        """Line numbers of rejected rows with their rule codes (the first 1,000)."""

    @property
    def fed(self) -> int:
        return len(self._lines)

    def feed(self, chunk: Sequence[RosterLine], register: FetchedRegister) -> None:
        feed, pending, lines = self._validator.feed, self._pending, self._lines
        for line in chunk:
            row = row_of(self._row_no, line, feed(line), register)
            lines.append(line.line_no)
            if line.cells.get(_ROW_NO):
                self._replaced[self._row_no] = _row_number(line)
            self._row_no += 1
            if row.verdict == "rejected" and len(self.rejected) < 1000:
                self.rejected.append((line.line_no, row.rules))
            pending.append(row)
            if len(pending) == ROWS_PER_EVENT:
                self._events.part(pending)
                pending.clear()

    def close(self, *, file_name: str, content_hash: str) -> RosterOutcome:
        """The last part, the rows replaced, the late warnings and the summary."""
        events, roster = self._events, self._events.roster
        if self._pending:
            events.part(self._pending)
        if not roster.rows:
            raise refuse.no_rows()
        for removal in supersede(roster, events.import_id, self._replaced):
            events.add(removal)
        outcome = self._validator.finish()
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
