"""Rows entered or corrected one at a time through the API (逐行录入、更正): each judged by
the same validation as a file's rows, against the register, the lists and the round.

A single row is checked against the roster's other rows for the same person; the shared
account and phone rules, which compare whole files, run on imports only.
"""

from __future__ import annotations

from collections.abc import Mapping

from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.pii.cipher import FieldCipher
from infra.projections.database import ProjectionDatabase
from infra.stream_commands import append_decided
from services.registry.adapters.register_lookup import fetch_register
from services.registry.application.import_roster import Checks, ChunkPorts
from services.registry.application.roster_commands import load_roster
from services.registry.application.stored_rows import row_of
from services.registry.domain import roster_refusals as refuse
from services.registry.domain import rule_codes
from services.registry.domain.events import (
    RosterRow,
    RosterRowCorrected,
    RosterRowRemoved,
    RosterRowsImported,
)
from services.registry.domain.roster import CorrectRow, ImportRows, decide_correction, decide_import
from services.registry.domain.roster_rows import Column, RosterLine
from services.registry.domain.validation import RosterValidator


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
    row = await _judged(store, codec, projections, cipher, roster_id, row_no, cells, checks)
    events = decide_import(
        ImportRows(roster_id, f"row-{context.idempotency_key}"[:64], [row]), state
    )
    await append_decided(store, codec, context, f"roster-{roster_id}", events, version)
    return row


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
    row = await _judged(store, codec, projections, cipher, roster_id, row_no, cells, checks)
    events = decide_correction(CorrectRow(roster_id, row, reason), state)
    await append_decided(store, codec, context, f"roster-{roster_id}", events, version)
    return row


async def _judged(
    store: EventStore,
    codec: EventCodec,
    projections: ProjectionDatabase,
    cipher: FieldCipher,
    roster_id: str,
    row_no: int,
    cells: Mapping[Column, str],
    checks: Checks,
) -> RosterRow:
    line = RosterLine(row_no, {column: text.strip() for column, text in cells.items()})
    ports = ChunkPorts(checks)
    async with projections.transaction() as conn:
        ports.current = await fetch_register(conn, [line], cipher=cipher)
    validator = RosterValidator(
        programme=checks.programme,
        register=ports,
        other_rosters=ports,
        lists=ports,
        today=checks.today,
    )
    verdict = validator.feed(line)
    verdict = verdict.with_late(validator.finish().late.get(line.line_no, ()))
    row = row_of(row_no, line, verdict, ports.current)
    first = (await _rows_of(store, codec, roster_id)).get(row.beneficiary_id or "")
    if row.beneficiary_id is None or first is None or first == row_no:
        return row
    duplicate = rule_codes.CITIZEN_ID_DUPLICATE.finding(first=first)
    return row.model_copy(
        update={
            "verdict": "rejected",
            "rules": (*row.rules, duplicate.rule),
            "messages": (*row.messages, duplicate.message),
        }
    )


async def _rows_of(store: EventStore, codec: EventCodec, roster_id: str) -> dict[str, int]:
    """The roster's live rows by the beneficiary they pay: beneficiary id → row number."""
    rows: dict[int, RosterRow] = {}
    for record in await store.read_stream(f"roster-{roster_id}"):
        event = codec.decode(record).event
        if isinstance(event, RosterRowsImported):
            rows.update((row.row_no, row) for row in event.rows)
        elif isinstance(event, RosterRowCorrected):
            rows[event.row.row_no] = event.row
        elif isinstance(event, RosterRowRemoved):
            rows.pop(event.row_no, None)
    return {
        row.beneficiary_id: row_no
        for row_no, row in sorted(rows.items(), reverse=True)
        if row.beneficiary_id is not None and row.verdict != "rejected"
    }
