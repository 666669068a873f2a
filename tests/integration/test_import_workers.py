"""Import workers judge a roster's rows exactly as the importer alone does: the same verdicts,
rule counts and totals, the same events (docs/adr/007-roster-imports.md); a worker that fails
fails the import, which stores nothing."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.sqlite import SqliteEventStore
from infra.mainjob.register_seed import AT, CLERK, seed_register_read_model
from infra.pii import FieldCipher, LocalKeyFile
from infra.projections.database import ProjectionDatabase
from infra.synthetic.defects import DefectKind
from infra.synthetic.files import CountyFiles, write_county
from infra.synthetic.programmes import FARMLAND
from infra.synthetic.roster_files import RosterFormat
from services.registry.adapters.import_workers import (
    ImportWorkerFailed,
    ImportWorkers,
    local_key_file,
    workers_for,
)
from services.registry.adapters.roster_files import open_roster
from services.registry.adapters.tables import TABLES
from services.registry.application.cross_checks import (
    import_cross_check_list,
    load_cross_checks,
    load_round,
)
from services.registry.application.import_roster import (
    Checks,
    ImportReport,
    import_roster_file,
)
from services.registry.application.roster_commands import draft_roster
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.domain.roster import DraftRoster
from services.registry.domain.validation_programme import ProgrammeRules

EVERYONE = replace(FARMLAND, basis="person", coverage=1.0)
ROUND = "2025-1"
EARLIER = 300
"""Data lines of the roster also in an earlier roster of the round (duplicate benefits)."""


@dataclass(frozen=True)
class County:
    files: CountyFiles
    folder: Path
    cipher: FieldCipher
    projections: ProjectionDatabase
    rules: ProgrammeRules

    @property
    def roster(self) -> Path:
        return self.files.rosters[0].path


@pytest.fixture
async def county(tmp_path: Path) -> AsyncIterator[County]:
    files = write_county(
        tmp_path / "county",
        beneficiaries=3000,
        townships=1,
        programmes=[EVERYONE],
        seed=3,
        defect_rate=0.15,
        formats=[RosterFormat(encoding="utf-8")],
    )
    cipher = FieldCipher(keys=LocalKeyFile(tmp_path / "keys.json", algorithm="aes-256-gcm"))
    projections = await ProjectionDatabase.open(f"sqlite:///{tmp_path / 'registry.db'}")
    await projections.create_tables(TABLES)
    await seed_register_read_model(files.register, projections, cipher)
    programme = files.programmes[0]
    rules = ProgrammeRules(
        code=programme.code,
        standard_name=programme.name,
        unit_standard=programme.standard,
        max_amount_fen=programme.limit_fen,
        list_policy={"deceased": "reject", "public_servant": "warn"},
    )
    yield County(files, tmp_path, cipher, projections, rules)
    await projections.close()


def _context(key: str) -> CommandContext:
    return CommandContext(actor=CLERK, at=AT, correlation_id=uuid.UUID(int=7), idempotency_key=key)


def _workers(county: County, **changes: Any) -> ImportWorkers:
    options: dict[str, Any] = {
        "count": 2,
        "register_db": county.folder / "registry.db",
        "cipher": local_key_file(county.folder / "keys.json"),
        "min_bytes": 0,
        "in_flight": 2,
    }
    return ImportWorkers(**{**options, **changes})


async def _import_round(
    county: County, store: SqliteEventStore, workers: ImportWorkers | None
) -> ImportReport:
    """The lists, an earlier roster of the round holding some of the same people, then the
    township's roster: imported by ``workers``, or in this process."""
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=county.cipher)
    for name, path in county.files.lists.items():
        kind = {"public_servants": "public_servant"}.get(name, name)
        await import_cross_check_list(
            store=store, codec=codec, cipher=county.cipher, kind=kind, path=path,
            context=_context(f"list-{kind}"),
        )  # fmt: skip
    earlier = county.folder / "earlier.csv"
    with county.roster.open(encoding="utf-8") as whole:
        earlier.write_text(
            "".join(line for _, line in zip(range(EARLIER + 2), whole, strict=False))
        )
    township = county.files.rosters[0].township
    for roster_id, path in (("r-0", earlier), ("r-1", county.roster)):
        command = DraftRoster(roster_id, county.rules.code, 1, township, ROUND)
        await draft_roster(
            store=store, codec=codec, command=command, context=_context(f"draft-{roster_id}")
        )
        checks = Checks(
            county.rules,
            date(2025, 7, 1),
            await load_cross_checks(store, codec),
            await load_round(
                store, codec, programme_code=county.rules.code, round_id=ROUND,
                except_roster=roster_id,
            ),
        )  # fmt: skip
        report = await import_roster_file(
            store=store,
            codec=codec,
            projections=county.projections,
            cipher=county.cipher,
            roster_id=roster_id,
            source=open_roster(path),
            file_name=path.name,
            checks=checks,
            context=_context(f"import-{roster_id}"),
            workers=workers if roster_id == "r-1" else None,
        )
    return report


async def _roster_events(county: County, store: SqliteEventStore) -> list[tuple[Any, ...]]:
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=county.cipher)
    envelopes = [codec.decode(record) for record in await store.read_stream("roster-r-1")]
    return [(e.event_id, e.event_type, e.event) for e in envelopes]


async def test_workers_store_the_same_verdicts_and_events_as_the_importer_alone(
    county: County,
) -> None:
    results = []
    for workers in (None, _workers(county)):
        store = await SqliteEventStore.open(county.folder / f"events-{bool(workers)}.db")
        report = await _import_round(county, store, workers)
        results.append((report, await _roster_events(county, store)))
        await store.close()
    (alone, alone_events), (shared, shared_events) = results
    assert shared == alone
    assert shared_events == alone_events  # personal data compared opened, nonces aside
    by_rule = alone.summary.by_rule
    for rule in (
        "citizen_id_duplicate", "card_account_shared", "phone_shared", "duplicate_benefit",
        "list_deceased", "list_public_servant", "not_in_register", "amount_above_median",
    ):  # fmt: skip
        assert by_rule.get(rule, 0) > 0, rule
    kinds = set(county.files.rosters[0].kinds().values())
    assert {DefectKind.SHARED_CARD, DefectKind.SHARED_PHONE, DefectKind.DUPLICATE_ID} <= kinds


def _failing_cipher(path: str, calls: int) -> FieldCipher:
    """A cipher whose worker process dies after ``calls`` blind indexes (a crash mid-import)."""
    cipher = FieldCipher(keys=LocalKeyFile(Path(path), algorithm="aes-256-gcm"))
    index = cipher.blind_index
    count = iter(range(calls))

    def dying(purpose: Any, value: str) -> str:
        if next(count, None) is None:
            os._exit(3)
        return index(purpose, value)

    cipher.blind_index = dying  # type: ignore[method-assign]
    return cipher


@pytest.mark.parametrize(
    "broken",
    [
        {"cipher": partial(_failing_cipher, "", 0)},  # no key file: the worker cannot start
        {"register_db": Path("/nonexistent/registry.db")},  # no register to read
        {"count": 1, "in_flight": 1},  # dies after a few chunks (cipher set below)
    ],
    ids=["no-keys", "no-register", "dies-midway"],
)
async def test_a_worker_failing_fails_the_import_and_stores_nothing(
    county: County, broken: dict[str, Any]
) -> None:
    if "count" in broken:
        keys = str(county.folder / "keys.json")
        broken = {**broken, "cipher": partial(_failing_cipher, keys, 2500)}
    store = await SqliteEventStore.open(county.folder / "events.db")
    with pytest.raises(ImportWorkerFailed):
        await _import_round(county, store, _workers(county, **broken))
    stored = [event_type for _, event_type, _ in await _roster_events(county, store)]
    assert stored == ["RosterDrafted"]
    await store.close()


async def test_workers_serve_sqlite_projections_on_several_cores_and_nothing_else(
    county: County,
) -> None:
    keys = county.folder / "keys.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "sched_getaffinity", lambda _: {0})
        assert workers_for(county.projections, key_file=keys, algorithm="aes-256-gcm") is None
        patch.setattr(os, "sched_getaffinity", lambda _: set(range(8)))
        workers = workers_for(county.projections, key_file=keys, algorithm="aes-256-gcm")
    assert workers is not None
    assert workers.count == 4  # one per core, four at most
    assert not workers.worth_it(1 << 20)  # a small file: judged in the importer's process
    assert workers.worth_it(64 << 20)
    engine = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    postgres = ProjectionDatabase(engine, schema="registry")
    assert workers_for(postgres, key_file=keys, algorithm="aes-256-gcm") is None
    await engine.dispose()
