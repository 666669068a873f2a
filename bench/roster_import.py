"""Roster import end to end: read, validate against the register, store the import.

    python -m bench.roster_import [--beneficiaries 1000000] [--store sqlite|postgresql]

Setup (not timed): a synthetic county (``infra.synthetic``) with one township and one
programme, its register loaded into the registry's register read model through the same
handler the consumer runs, and the roster drafted. Timed: ``import_roster_file`` on the
township's roster CSV — the file reader, validation with a register query per chunk, the
encoding of every part into the spool, and the one spooled append of the whole import
(docs/adr/007-roster-imports.md). Peak memory is the process's maximum resident set size,
read before and after (the setup's own peak is in the "before" figure).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.report import emit
from contracts.envelope import Actor
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.postgres import PostgresEventStore
from infra.eventstore.sqlite import SqliteEventStore
from infra.logging import configure_logging
from infra.mainjob.register_seed import seed_register_read_model
from infra.pii import FieldCipher, LocalKeyFile
from infra.projections.database import ProjectionDatabase
from infra.synthetic.files import write_county
from infra.synthetic.programmes import FARMLAND
from infra.synthetic.roster_files import RosterFormat
from services.registry.adapters.roster_files import open_roster
from services.registry.adapters.tables import TABLES
from services.registry.application.import_roster import Checks, import_roster_file
from services.registry.application.roster_commands import draft_roster
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.domain.roster import DraftRoster
from services.registry.domain.validation_programme import ProgrammeRules

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
AT = datetime(2025, 7, 1, 2, 0, tzinfo=UTC)
EVERYONE = replace(FARMLAND, basis="person", coverage=1.0)
"""The farmland programme paid to every registered person: a roster row per beneficiary."""
CLERK = Actor(user_id="bench", role="township_operator", jurisdiction_code="000000000")


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--beneficiaries", type=int, default=1_000_000)
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    configure_logging(service="bench", level="WARNING")
    with tempfile.TemporaryDirectory(prefix="onecard-roster-bench-") as folder:
        await measure(args, Path(folder))  # a million rows leave 1.3 GB of files behind


async def measure(args: argparse.Namespace, folder: Path) -> None:
    started = time.perf_counter()
    files = write_county(
        folder / "county",
        beneficiaries=args.beneficiaries,
        townships=1,
        programmes=[EVERYONE],
        seed=args.seed,
        defect_rate=0.02,
        formats=(RosterFormat(encoding="utf-8"),),
    )
    (manifest,) = files.rosters
    generated = time.perf_counter() - started
    keys = LocalKeyFile(folder / "keys.json", algorithm="aes-256-gcm")
    cipher = FieldCipher(keys=keys)
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    projections = await ProjectionDatabase.open(f"sqlite:///{folder / 'registry.db'}")
    await projections.create_tables(TABLES)
    started = time.perf_counter()
    people = await seed_register_read_model(files.register, projections, cipher)
    loaded = time.perf_counter() - started
    if args.store == "sqlite":
        store: Any = await SqliteEventStore.open(folder / "events.db")
    else:
        store = await PostgresEventStore.open(POSTGRES, schema=f"bench_{uuid.uuid4().hex[:8]}")
    programme = files.programmes[0]
    context = CommandContext(
        actor=CLERK, at=AT, correlation_id=uuid.uuid4(), idempotency_key="bench"
    )
    township = files.county.townships[0].code
    await draft_roster(
        store=store,
        codec=codec,
        command=DraftRoster("bench", programme.code, 1, township, "2025-1"),
        context=context,
    )
    rules = ProgrammeRules(
        code=programme.code,
        standard_name=programme.name,
        unit_standard=programme.standard,
        max_amount_fen=programme.limit_fen,
    )
    before = max_rss_mb()
    started = time.perf_counter()
    source = open_roster(manifest.path)
    report = await import_roster_file(
        store=store,
        codec=codec,
        projections=projections,
        cipher=cipher,
        roster_id="bench",
        source=source,
        file_name=manifest.path.name,
        checks=Checks(rules, date(2025, 7, 1)),
        context=CommandContext(
            actor=CLERK, at=AT, correlation_id=uuid.uuid4(), idempotency_key="bench-import"
        ),
    )
    seconds = time.perf_counter() - started
    after = max_rss_mb()
    await store.close()
    await projections.close()
    rows = report.summary.rows
    emit(
        "roster-import",
        [
            {
                "case": f"import + validate, {rows:,} rows vs {people:,} registered",
                "rows": rows,
                "rows_per_s": rows / seconds,
                "seconds": seconds,
                "rejected": report.summary.rejected,
                "warned": report.summary.warned,
                "peak_rss_mb_before": before,
                "peak_rss_mb_after": after,
            }
        ],
        {
            "store": args.store,
            "file_mb": manifest.path.stat().st_size / 2**20,
            "generate_s": generated,
            "register_load_s": loaded,
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
