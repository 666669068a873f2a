"""Rows entered or corrected one at a time through the API (逐行录入、更正): each judged by
the same validation as a file's rows, against the register, the lists and the round.

A typed row is checked against the roster's rows as a file's row is against the rows above
it: the same person in a live row rejects it, and an account or phone another person's row
already uses is found the same way, with the same severity, the earlier row flagged with a
warning as an import flags it (``roster_neighbours``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.pii.cipher import FieldCipher
from infra.projections.database import ProjectionDatabase
from infra.stream_commands import append_decided
from services.registry.adapters.fetched_register import lookup_key
from services.registry.adapters.register_lookup import fetch_beneficiaries, fetch_register
from services.registry.application.import_roster import Checks
from services.registry.application.judge_rows import ChunkPorts
from services.registry.application.roster_commands import load_roster
from services.registry.application.roster_neighbours import against_the_roster, live_rows
from services.registry.application.stored_rows import row_of
from services.registry.domain import roster_refusals as refuse
from services.registry.domain.events import RosterRow
from services.registry.domain.roster import CorrectRow, ImportRows, decide_correction, decide_import
from services.registry.domain.roster_rows import Column, RosterLine
from services.registry.domain.validation import RowVerdict
from services.registry.domain.validation_judge import RowJudge


async def enter_row(
    *,
    store: EventStore,
    codec: EventCodec,
    projections: ProjectionDatabase,
    cipher: FieldCipher,
    roster_id: str,
    cells: Mapping[Column, str],
    checks: Checks,
    context: CommandContext,
) -> RosterRow:
    """Add one row to the roster (a one-row import keyed by the request)."""
    state, version = await load_roster(store, codec, roster_id)
    if state is None:
        raise refuse.no_such_roster()
    row_no = state.next_row_no
    typed = await _judged(store, codec, projections, cipher, roster_id, row_no, cells, checks)
    import_id = f"row-{context.idempotency_key}"[:64]
    events = decide_import(ImportRows(roster_id, import_id, [typed.row], typed.late), state)
    await append_decided(store, codec, context, f"roster-{roster_id}", events, version)
    return typed.row


async def correct_row(
    *,
    store: EventStore,
    codec: EventCodec,
    projections: ProjectionDatabase,
    cipher: FieldCipher,
    roster_id: str,
    row_no: int,
    cells: Mapping[Column, str],
    reason: str,
    checks: Checks,
    context: CommandContext,
) -> RosterRow:
    """Replace one row with the clerk's corrected values, judged again."""
    state, version = await load_roster(store, codec, roster_id)
    if state is None:
        raise refuse.no_such_roster()
    if row_no not in state.rows:
        raise refuse.no_such_row(row_no)
    typed = await _judged(store, codec, projections, cipher, roster_id, row_no, cells, checks)
    events = decide_correction(CorrectRow(roster_id, typed.row, reason, typed.late), state)
    await append_decided(store, codec, context, f"roster-{roster_id}", events, version)
    return typed.row


@dataclass(frozen=True, slots=True)
class _Typed:
    row: RosterRow
    late: dict[int, tuple[str, ...]]
    """Warnings for rows already in the roster, by row number."""


async def _judged(
    store: EventStore,
    codec: EventCodec,
    projections: ProjectionDatabase,
    cipher: FieldCipher,
    roster_id: str,
    row_no: int,
    cells: Mapping[Column, str],
    checks: Checks,
) -> _Typed:
    line = RosterLine(row_no, {column: text.strip() for column, text in cells.items()})
    others = await live_rows(store, codec, roster_id, except_row=row_no)
    ports = ChunkPorts(checks.terms())
    async with projections.transaction() as conn:
        ports.current = await fetch_register(conn, [line], cipher=cipher)
        paid = {row.beneficiary_id for row in others.values() if row.beneficiary_id}
        people = await fetch_beneficiaries(conn, paid, cipher=cipher)
    judge = RowJudge(
        programme=checks.programme,
        register=ports,
        other_rosters=ports,
        lists=ports,
        today=checks.today,
    )
    judged, parsed = judge.judge(line)
    beneficiary_id = ports.current.beneficiary_id(lookup_key(line))
    findings, late = against_the_roster(judged, beneficiary_id, others, people, checks.programme)
    verdict = RowVerdict(row_no, findings, parsed)
    return _Typed(row_of(row_no, line, verdict, ports.current), late)
