"""An import is stored whole or not at all, on the durable store (SQLite): its parts wait in
a spool on disk and go to the log in one transaction (docs/adr/007-roster-imports.md)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.sqlite import SqliteEventStore
from infra.eventstore.verify import verify_store
from infra.mainjob.register_seed import AT, CLERK, seed_register_read_model
from infra.pii import FieldCipher, LocalKeyFile
from infra.projections.database import ProjectionDatabase
from infra.synthetic.files import write_county
from infra.synthetic.programmes import FARMLAND
from infra.synthetic.roster_files import RosterFormat
from services.registry.adapters.roster_files import RosterFileError, open_roster
from services.registry.adapters.tables import TABLES
from services.registry.application.import_roster import Checks, RosterSource, import_roster_file
from services.registry.application.roster_commands import draft_roster
from services.registry.domain.events import REGISTRY_EVENTS, RosterRowsImported, RosterValidated
from services.registry.domain.roster import ROWS_PER_EVENT, DraftRoster
from services.registry.domain.roster_rows import RosterLine
from services.registry.domain.validation_programme import ProgrammeRules

EVERYONE = replace(FARMLAND, basis="person", coverage=1.0)
"""Paid to every registered person: a roster row per beneficiary, three parts' worth."""


@dataclass
class World:
    store: SqliteEventStore
    codec: EventCodec
    projections: ProjectionDatabase
    cipher: FieldCipher
    roster: Path
    rows: int
    rules: ProgrammeRules


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    files = write_county(
        tmp_path / "county",
        beneficiaries=2600,
        townships=1,
        programmes=[EVERYONE],
        seed=5,
        defect_rate=0.05,
        formats=[RosterFormat(encoding="utf-8")],
    )
    cipher = FieldCipher(keys=LocalKeyFile(tmp_path / "keys.json", algorithm="aes-256-gcm"))
    projections = await ProjectionDatabase.open(f"sqlite:///{tmp_path / 'registry.db'}")
    await projections.create_tables(TABLES)
    await seed_register_read_model(files.register, projections, cipher)
    store = await SqliteEventStore.open(tmp_path / "events.db")
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    (manifest,) = files.rosters
    programme = files.programmes[0]
    await draft_roster(
        store=store,
        codec=codec,
        command=DraftRoster("r-1", programme.code, 1, manifest.township, "2025-1"),
        context=_context("draft"),
    )
    rules = ProgrammeRules(
        code=programme.code,
        standard_name=programme.name,
        unit_standard=programme.standard,
        max_amount_fen=programme.limit_fen,
    )
    yield World(store, codec, projections, cipher, manifest.path, manifest.data_rows, rules)
    await store.close()
    await projections.close()


def _context(key: str) -> CommandContext:
    return CommandContext(actor=CLERK, at=AT, correlation_id=uuid.uuid4(), idempotency_key=key)


async def _import(world: World, source: RosterSource | None = None):  # type: ignore[no-untyped-def]
    return await import_roster_file(
        store=world.store,
        codec=world.codec,
        projections=world.projections,
        cipher=world.cipher,
        roster_id="r-1",
        source=source or open_roster(world.roster),
        file_name=world.roster.name,
        checks=Checks(world.rules, date(2025, 7, 1)),
        context=_context("import"),
    )


async def _roster_events(world: World) -> list[object]:
    return [world.codec.decode(r).event for r in await world.store.read_stream("roster-r-1")]


async def test_an_import_of_several_parts_is_one_unbroken_run_of_the_log(world: World) -> None:
    report = await _import(world)
    records = await world.store.read_stream("roster-r-1")
    events = [world.codec.decode(record).event for record in records]
    parts = [event for event in events if isinstance(event, RosterRowsImported)]
    assert len(parts) == -(-world.rows // ROWS_PER_EVENT) >= 3
    rows = [row for part in parts for row in part.rows]
    assert [row.row_no for row in rows] == list(range(1, world.rows + 1))
    assert report.summary.rows == world.rows
    assert isinstance(events[-1], RosterValidated)
    assert events[-1].rows == world.rows
    positions = [record.position for record in records[1:]]
    assert positions == list(range(positions[0], positions[0] + len(positions)))
    assert (await verify_store(world.store)).intact


async def test_an_import_failing_at_its_commit_stores_no_row_and_imports_whole_again(
    world: World,
) -> None:
    async def power_cut() -> None:
        raise RuntimeError("power cut")

    world.store.before_commit = power_cut
    with pytest.raises(RuntimeError, match="power cut"):
        await _import(world)
    world.store.before_commit = None
    assert [type(e).__name__ for e in await _roster_events(world)] == ["RosterDrafted"]
    report = await _import(world)  # the file's claim holds for this roster: the retry goes on
    assert not report.already_imported
    assert report.summary.rows == world.rows
    assert (await _import(world)).already_imported


class _CutShort:
    """The roster file turning out unreadable after ``lines`` lines (a truncated upload)."""

    def __init__(self, path: Path, lines: int) -> None:
        self._file = open_roster(path)
        self._lines = lines

    @property
    def content_hash(self) -> str:
        return self._file.content_hash

    def lines(self) -> Iterator[RosterLine]:
        for n, line in enumerate(self._file.lines()):
            if n == self._lines:
                raise RosterFileError("roster_truncated", "文件不完整")
            yield line


async def test_a_file_unreadable_after_two_parts_stores_no_row(world: World) -> None:
    with pytest.raises(RosterFileError):
        await _import(world, _CutShort(world.roster, 2 * ROWS_PER_EVENT + 10))
    assert [type(e).__name__ for e in await _roster_events(world)] == ["RosterDrafted"]
    everything = await world.store.read_all(after=0, limit=10_000)
    assert not any(record.event_type == "RosterRowsImported" for record in everything)
