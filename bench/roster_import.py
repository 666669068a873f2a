"""Roster import end to end: read, validate against the register, store the import.

    python -m bench.roster_import [--beneficiaries 1000000] [--store sqlite|postgresql]
        [--workers 2] [--cache DIR] [--repeat 1]

Setup (not timed, and kept in ``--cache`` for the next run: a million people take minutes
to generate and seal): a synthetic county (``infra.synthetic``) with one township and one
programme, its register loaded into the registry's register read model through the same
handler the consumer runs. Each run then drafts a roster in a new event store and times
``import_roster_file`` on the township's roster CSV — the file reader, validation with a
register query per chunk (in ``--workers`` processes; 0: all in this one), the encoding of
every part into the spool, and the one spooled append of the whole import
(docs/adr/007-roster-imports.md).

Memory is the peak resident set of every process involved: this one (its peak before the
import, the setup's, is shown apart) plus each worker's own peak, summed. CPU is the user
and system time of this process and of the workers, per row.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import pickle
import resource
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

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
from infra.synthetic.files import CountyFiles, write_county
from infra.synthetic.programmes import FARMLAND
from infra.synthetic.roster_files import RosterFormat
from services.registry.adapters.import_workers import ImportWorkers, local_key_file
from services.registry.adapters.roster_files import open_roster
from services.registry.adapters.tables import TABLES
from services.registry.application.import_roster import Checks, ImportReport, import_roster_file
from services.registry.application.roster_commands import draft_roster
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.domain.roster import DraftRoster
from services.registry.domain.validation_programme import ProgrammeRules

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
AT = datetime(2025, 7, 1, 2, 0, tzinfo=UTC)
EVERYONE = replace(FARMLAND, basis="person", coverage=1.0)
"""The farmland programme paid to every registered person: a roster row per beneficiary."""
CLERK = Actor(user_id="bench", role="township_operator", jurisdiction_code="000000000")
KEY_ALGORITHM: Final = "aes-256-gcm"


@dataclass(frozen=True, slots=True)
class Setup:
    folder: Path
    files: CountyFiles
    people: int
    generate_s: float
    register_load_s: float

    @property
    def keys(self) -> Path:
        return self.folder / "keys.json"

    @property
    def register_db(self) -> Path:
        return self.folder / "registry.db"


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--beneficiaries", type=int, default=1_000_000)
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2, help="0: validate in this process")
    parser.add_argument("--repeat", type=int, default=1, help="imports, each in a new store")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "onecard-roster-bench",
        help="where the county and its register are kept between runs",
    )
    args = parser.parse_args()
    configure_logging(service="bench", level="WARNING")
    setup = await cached_setup(args)
    rows = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="onecard-roster-bench-") as folder:
            rows.append(await measure(args, setup, Path(folder)))
    emit(
        "roster-import",
        rows,
        {
            "store": args.store,
            "workers": args.workers,
            "file_mb": setup.files.rosters[0].path.stat().st_size / 2**20,
            "generate_s": setup.generate_s,
            "register_load_s": setup.register_load_s,
            "load_average": os.getloadavg(),
        },
    )


async def cached_setup(args: argparse.Namespace) -> Setup:
    """The county and its register read model, made once per size and seed."""
    folder = args.cache / f"{args.beneficiaries}-{args.seed}"
    saved = folder / "setup.pickle"
    if saved.exists():
        return Setup(folder, **pickle.loads(saved.read_bytes()))
    args.cache.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=args.cache))
    started = time.perf_counter()
    files = write_county(
        building / "county",
        beneficiaries=args.beneficiaries,
        townships=1,
        programmes=[EVERYONE],
        seed=args.seed,
        defect_rate=0.02,
        formats=(RosterFormat(encoding="utf-8"),),
    )
    generated = time.perf_counter() - started
    cipher = FieldCipher(keys=LocalKeyFile(building / "keys.json", algorithm=KEY_ALGORITHM))
    projections = await ProjectionDatabase.open(f"sqlite:///{building / 'registry.db'}")
    await projections.create_tables(TABLES)
    started = time.perf_counter()
    people = await seed_register_read_model(files.register, projections, cipher)
    loaded_s = time.perf_counter() - started
    await projections.close()
    moved = _moved(files, building / "county", folder / "county")
    kept = {"files": moved, "people": people, "generate_s": generated, "register_load_s": loaded_s}
    _keep(building, folder, kept)
    return Setup(folder, moved, people, generated, loaded_s)


def _keep(building: Path, folder: Path, kept: dict[str, Any]) -> None:
    """The built setup in its place, whole: the register file is in the read model now."""
    (building / "county" / "register.csv").unlink()
    shutil.rmtree(folder, ignore_errors=True)
    building.rename(folder)
    (folder / "setup.pickle").write_bytes(pickle.dumps(kept))


def _moved(files: CountyFiles, old: Path, new: Path) -> CountyFiles:
    def at(path: Path) -> Path:
        return new / path.relative_to(old)

    return replace(
        files,
        register=at(files.register),
        lists={name: at(path) for name, path in files.lists.items()},
        rosters=tuple(replace(m, path=at(m.path)) for m in files.rosters),
        manifest=at(files.manifest),
    )


async def measure(args: argparse.Namespace, setup: Setup, folder: Path) -> dict[str, Any]:
    (manifest,) = setup.files.rosters
    cipher = FieldCipher(keys=LocalKeyFile(setup.keys, algorithm=KEY_ALGORITHM))
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    projections = await ProjectionDatabase.open(f"sqlite:///{setup.register_db}")
    if args.store == "sqlite":
        store: Any = await SqliteEventStore.open(folder / "events.db")
    else:
        store = await PostgresEventStore.open(POSTGRES, schema=f"bench_{uuid.uuid4().hex[:8]}")
    programme = setup.files.programmes[0]
    context = CommandContext(
        actor=CLERK, at=AT, correlation_id=uuid.uuid4(), idempotency_key="bench"
    )
    township = setup.files.county.townships[0].code
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
    workers = None
    if args.workers:
        workers = ImportWorkers(
            count=args.workers, register_db=setup.register_db, cipher=local_key_file(setup.keys)
        )
    before, cpu_before, children_before = max_rss_mb(), cpu_s(), cpu_s(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    source = open_roster(manifest.path)
    timed = _TimedAppend(store)
    report = await import_roster_file(
        store=timed,
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
        workers=workers,
    )
    seconds = time.perf_counter() - started
    cpu_self = cpu_s() - cpu_before
    cpu_children = cpu_s(resource.RUSAGE_CHILDREN) - children_before
    after = max_rss_mb()
    await store.close()
    await projections.close()
    rows = report.summary.rows
    worker_peaks = [peak / 2**20 for peak in workers.peak_rss_bytes] if workers else []
    return {
        "case": f"{rows:,} rows vs {setup.people:,} registered",
        "workers": args.workers,
        "rows_per_s": rows / seconds,
        "seconds": seconds,
        "cpu_us_per_row": (cpu_self + cpu_children) * 1e6 / rows,
        "main_cpu_us_per_row": cpu_self * 1e6 / rows,
        "peak_rss_mb_setup": before,
        "peak_rss_mb_main": after,
        "peak_rss_mb_workers": sum(worker_peaks),
        "peak_rss_mb_sum": after + sum(worker_peaks),
        "rejected": report.summary.rejected,
        "warned": report.summary.warned,
        "append_s": timed.append_s,
        "outcome": _digest(report),
    }


class _TimedAppend:
    """The event store, timing the import's one spooled append (the part no worker shares)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.append_s = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def append_spooled(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await self._store.append_spooled(*args, **kwargs)
        finally:
            self.append_s += time.perf_counter() - started


def _digest(report: ImportReport) -> str:
    """Summary, rule counts and payable total in a few hex digits, to compare runs."""
    summary = report.summary
    text = repr((summary.accepted, summary.warned, summary.rejected, summary.payable_fen))
    text += repr(sorted(summary.by_rule.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


if __name__ == "__main__":
    asyncio.run(main())
