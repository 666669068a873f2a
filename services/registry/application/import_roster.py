"""Import a roster file: claim the file, validate every row, append the import whole.

The file is read once, a chunk of lines at a time: each chunk's people are fetched from the
register in one query, each line is judged as it is fed, and each part of rows is encoded as
soon as it is full, so a million-row file never sits in memory as objects. Everything is
appended in one append at the end: a file that fails half-way stores nothing.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Protocol, TypeVar

from contracts.pii import CardAccountNo, CitizenId, PhoneNo, PiiError
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore, NewEvent
from infra.pii.cipher import FieldCipher
from infra.projections.database import ProjectionDatabase
from services.registry.adapters.register_lookup import FetchedRegister, fetch_register
from services.registry.application.claims import claim
from services.registry.application.cross_checks import CrossCheckIndex, RoundIndex
from services.registry.application.roster_commands import load_roster
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
from services.registry.domain.validation import RosterSummary, RosterValidator, RowVerdict
from services.registry.domain.validation_ports import RegisteredPerson
from services.registry.domain.validation_programme import ProgrammeRules

P = TypeVar("P", CitizenId, CardAccountNo, PhoneNo)

CHUNK = 900
"""Lines per register query."""


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
    register = ChunkPorts(checks)
    validator = RosterValidator(
        programme=checks.programme,
        register=register,
        other_rosters=register,
        lists=register,
        today=checks.today,
    )
    encoded: list[NewEvent] = []
    pending: list[RosterRow] = []
    rejected: list[tuple[int, tuple[str, ...]]] = []
    first_row_no = row_no = roster.next_row_no
    lines_fed = array("q")  # the file's line numbers in feed order (increasing): 8 bytes a row
    replaced: dict[int, int] = {}
    done = 0
    for chunk in _chunks(source.lines(), CHUNK):
        ids = [line.get(Column.CITIZEN_ID).strip().upper() for line in chunk]
        async with projections.transaction() as conn:
            register.current = await fetch_register(conn, ids, cipher=cipher)
        for line in chunk:
            verdict = validator.feed(line)
            row = row_of(row_no, line, verdict, register.current)
            lines_fed.append(line.line_no)
            if line.get(Column.ROW_NO).strip():
                replaced[row_no] = _row_number(line)
            row_no += 1
            if row.verdict == "rejected" and len(rejected) < 1000:
                rejected.append((line.line_no, row.rules))
            pending.append(row)
            if len(pending) == ROWS_PER_EVENT:
                _encode_part(roster, import_id, pending, codec, context, stream_id, encoded)
                pending = []
        done += len(chunk)
        if progress is not None:
            progress(done)
    if pending:
        _encode_part(roster, import_id, pending, codec, context, stream_id, encoded)
    if not roster.rows:
        raise refuse.no_rows()
    for removal in supersede(roster, import_id, replaced):
        encoded.append(
            codec.encode(context.envelope(removal, stream_id=stream_id, index=len(encoded)))
        )
    outcome = validator.finish()
    late = {
        first_row_no + bisect_left(lines_fed, line_no): tuple(f.rule for f in findings)
        for line_no, findings in outcome.late.items()
    }
    for event in close_import(
        roster, import_id, late, file_name=file_name, content_hash=source.content_hash
    ):
        envelope = context.envelope(event, stream_id=stream_id, index=len(encoded))
        encoded.append(codec.encode(envelope))
    await store.append(stream_id, encoded, expected_version=version)
    return ImportReport(
        roster_id, import_id, outcome.summary, dict(outcome.summary.by_rule), rejected
    )


def _encode_part(
    roster: Roster,
    import_id: str,
    rows: Sequence[RosterRow],
    codec: EventCodec,
    context: CommandContext,
    stream_id: str,
    encoded: list[NewEvent],
) -> None:
    """Decide and encode the next part at once (the roster is evolved with it)."""
    part = import_part(roster, import_id, len(encoded), rows)
    evolve(roster, part)
    encoded.append(codec.encode(context.envelope(part, stream_id=stream_id, index=len(encoded))))


def _row_number(line: RosterLine) -> int:
    text = line.get(Column.ROW_NO).strip()
    if not text.isdigit():
        raise refuse.not_replaceable(0) from None
    return int(text)


def _chunks(lines: Iterable[RosterLine], size: int) -> Iterator[list[RosterLine]]:
    iterator = iter(lines)
    while chunk := list(islice(iterator, size)):
        yield chunk


def row_of(
    row_no: int, line: RosterLine, verdict: RowVerdict, register: FetchedRegister
) -> RosterRow:
    """The row as stored. A row matched to the register points to its beneficiary, and keeps
    the card account and phone only where they differ from the register's."""
    rules = tuple(finding.rule for finding in verdict.findings)
    status = verdict.status
    parsed = verdict.row
    citizen_text = line.get(Column.CITIZEN_ID).strip().upper()
    beneficiary_id = register.beneficiary_id(citizen_text)
    person = register.person(citizen_text)
    account = line.get(Column.CARD_ACCOUNT).strip()
    phone = line.get(Column.PHONE).strip()
    return RosterRow(
        row_no=row_no,
        line_no=line.line_no,
        beneficiary_id=beneficiary_id,
        citizen_id=_sealable(CitizenId, citizen_text) if beneficiary_id is None else None,
        citizen_id_text=_masked(citizen_text) if beneficiary_id is None else None,
        name=line.get(Column.NAME).strip()[:64],
        card_account=(
            _sealable(CardAccountNo, account)
            if person is None or person.card_account != account
            else None
        ),
        bank=line.get(Column.BANK).strip()[:64],
        quantity=line.get(Column.QUANTITY).strip()[:32],
        standard=line.get(Column.STANDARD).strip()[:32],
        amount=line.get(Column.AMOUNT).strip()[:32],
        amount_fen=parsed.amount_fen if parsed is not None else None,
        village=line.get(Column.VILLAGE).strip()[:64],
        phone=_sealable(PhoneNo, phone) if person is None or person.phone != phone else None,
        remark=line.get(Column.REMARK).strip()[:200],
        verdict=status,
        rules=rules,
        messages=tuple(finding.message for finding in verdict.findings),
    )


def _sealable(kind: type[P], text: str) -> P | None:
    if not text:
        return None
    try:
        return kind(text)
    except PiiError:
        return None


def _masked(text: str) -> str | None:
    """What an unreadable ID cell held, every digit masked but the last four: enough for
    the clerk to find the row, never an ID number in the log."""
    if not text:
        return None
    text = text[:32]
    digits = sum(c.isdigit() for c in text)
    out, seen = [], 0
    for c in text:
        if c.isdigit():
            seen += 1
            c = c if seen > digits - 4 else "*"
        out.append(c)
    return "".join(out)


def _empty() -> RosterSummary:
    return RosterSummary(rows=0, accepted=0, warned=0, rejected=0, by_rule={}, payable_fen=0)
