"""Acceptance: importing a synthetic county's rosters flags exactly the rows its manifest
says are defective — every kind of defect clerks make, in every file format they make."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest

from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.mainjob.register_seed import AT, CLERK, seed_register_read_model
from infra.pii import FieldCipher, LocalKeyFile
from infra.projections.database import ProjectionDatabase
from infra.synthetic.defects import DefectKind
from infra.synthetic.files import DEFAULT_FORMATS, write_county
from services.registry.adapters.roster_files import open_roster
from services.registry.adapters.tables import TABLES
from services.registry.application.cross_checks import (
    import_cross_check_list,
    load_cross_checks,
    load_round,
)
from services.registry.application.import_roster import Checks, import_roster_file
from services.registry.application.roster_commands import draft_roster
from services.registry.domain.events import REGISTRY_EVENTS, RosterRowsImported
from services.registry.domain.roster import DraftRoster
from services.registry.domain.validation_programme import ProgrammeRules

WARNED_ONLY = {DefectKind.SHARED_PHONE, DefectKind.PUBLIC_SERVANT}
"""Kinds the default rules flag rather than reject (warning rules, 预警规则)."""


def context(key: str) -> CommandContext:
    return CommandContext(actor=CLERK, at=AT, correlation_id=uuid.uuid4(), idempotency_key=key)


@pytest.mark.parametrize("fmt", DEFAULT_FORMATS, ids=lambda f: f"{f.kind}-{f.encoding}")
async def test_the_import_flags_exactly_the_defects_of_the_manifest(tmp_path: Path, fmt) -> None:
    files = write_county(
        tmp_path / "county",
        beneficiaries=1500,
        townships=1,
        programmes=2,
        seed=11,
        defect_rate=0.08,
        formats=[fmt],
    )
    cipher = FieldCipher(keys=LocalKeyFile(tmp_path / "keys.json", algorithm="aes-256-gcm"))
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    store = MemoryEventStore()
    projections = await ProjectionDatabase.open(f"sqlite:///{tmp_path / 'registry.db'}")
    await projections.create_tables(TABLES)
    await seed_register_read_model(files.register, projections, cipher)
    for name, path in files.lists.items():
        kind = {"public_servants": "public_servant"}.get(name, name)
        await import_cross_check_list(
            store=store, codec=codec, cipher=cipher, kind=kind, path=path, context=context(kind)
        )
    try:
        for n, manifest in enumerate(files.rosters):
            programme = next(p for p in files.programmes if p.code == manifest.programme)
            roster_id = f"r-{n}"
            await draft_roster(
                store=store,
                codec=codec,
                command=DraftRoster(roster_id, programme.code, 1, manifest.township, "2025-1"),
                context=context(f"draft-{n}"),
            )
            rules = ProgrammeRules(
                code=programme.code,
                standard_name=programme.name,
                unit_standard=programme.standard,
                max_amount_fen=programme.limit_fen,
                list_policy={
                    "deceased": "reject",
                    "public_servant": "warn" if programme.excludes_public_servants else "ignore",
                },
            )
            checks = Checks(
                rules,
                date(2025, 7, 1),
                await load_cross_checks(store, codec),
                await load_round(
                    store, codec, programme_code=programme.code, round_id="2025-1",
                    except_roster=roster_id,
                ),
            )  # fmt: skip
            report = await import_roster_file(
                store=store,
                codec=codec,
                projections=projections,
                cipher=cipher,
                roster_id=roster_id,
                source=open_roster(manifest.path),
                file_name=manifest.path.name,
                checks=checks,
                context=context(f"import-{n}"),
            )
            verdicts = {}
            for record in await store.read_stream(f"roster-{roster_id}"):
                event = codec.decode(record).event
                if isinstance(event, RosterRowsImported):
                    verdicts.update({row.line_no: (row.verdict, row.rules) for row in event.rows})
            kinds = manifest.kinds()
            rejected = {line for line, (verdict, _) in verdicts.items() if verdict == "rejected"}
            must_reject = {line for line, kind in kinds.items() if kind not in WARNED_ONLY}
            assert rejected == must_reject, {
                line: (kinds.get(line), verdicts.get(line)) for line in rejected ^ must_reject
            }
            for line, kind in kinds.items():
                if kind in WARNED_ONLY:
                    assert verdicts[line][0] == "warned", (line, kind, verdicts[line])
            assert report.summary.rows == manifest.data_rows
    finally:
        await projections.close()
