"""Event store throughput on SQLite and PostgreSQL, beside the raw rate of the same database.

    .venv/bin/python -m bench.eventstore [--events 100000] [--only sqlite|postgresql]

Rows printed: batched appends of 100 (one caller), single-event appends from 32 concurrent
writers (events/s, p50/p99 latency; per-stream expected versions checked, positions verified
gap-free afterwards), the raw bulk-insert reference (COPY / executemany of the same rows into
a plain table), and full-log reads (raw records, and decoded into the contract models with
personal data decrypted).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.report import emit
from bench.sample_events import SampleEvents
from infra.eventstore.port import EventStore, NewEvent
from infra.eventstore.postgres import PostgresEventStore
from infra.eventstore.sqlite import SqliteEventStore
from infra.eventstore.verify import verify_store

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


async def batched(store: EventStore, sample: SampleEvents, total: int) -> dict[str, Any]:
    batches = [sample.batch(100) for _ in range(total // 100)]
    started = time.perf_counter()
    for n, batch in enumerate(batches):
        await store.append(f"batched-{n}", batch, expected_version=0)
    seconds = time.perf_counter() - started
    return {"case": "append, batches of 100", "events": total, "events_per_s": total / seconds}


async def concurrent_singles(
    store: EventStore, sample: SampleEvents, total: int, writers: int = 32
) -> dict[str, Any]:
    latencies: list[float] = []
    per_writer = total // writers
    prepared = [[sample.batch(1) for _ in range(per_writer)] for _ in range(writers)]

    async def writer(w: int) -> None:
        for version, event in enumerate(prepared[w]):
            began = time.perf_counter()
            await store.append(f"single-{w}", event, expected_version=version)
            latencies.append(time.perf_counter() - began)

    started = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(writers)))
    seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "case": f"append, single events, {writers} writers",
        "events": per_writer * writers,
        "events_per_s": per_writer * writers / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


async def full_read(store: EventStore, sample: SampleEvents, *, decode: bool) -> dict[str, Any]:
    count, after = 0, 0
    started = time.perf_counter()
    while page := await store.read_all(after=after, limit=5000):
        if decode:
            for record in page:
                sample.codec.decode(record)
        count += len(page)
        after = page[-1].position
    seconds = time.perf_counter() - started
    case = "read all, decoded to models" if decode else "read all, raw records"
    return {"case": case, "events": count, "events_per_s": count / seconds}


def rows_for_raw(sample: SampleEvents, total: int) -> list[tuple[Any, ...]]:
    now = datetime.now(UTC)
    events: list[NewEvent] = [e for _ in range(total // 100) for e in sample.batch(100)]
    return [
        (
            i + 1,
            f"raw-{i // 100}",
            i % 100 + 1,
            e.event_id,
            e.event_type,
            1,
            e.data,
            e.metadata,
            now,
            "sha256:" + "0" * 64,
        )
        for i, e in enumerate(events)
    ]


async def raw_postgres(sample: SampleEvents, total: int) -> list[dict[str, Any]]:
    rows = rows_for_raw(sample, total)
    conn = await asyncpg.connect(POSTGRES)
    try:
        await conn.execute("DROP TABLE IF EXISTS bench_raw")
        await conn.execute(
            "CREATE TABLE bench_raw (position bigint primary key, stream_id text, stream_version"
            " int, event_id uuid unique, event_type text, schema_version int, data bytea,"
            " metadata bytea, recorded_at timestamptz, hash text)"
        )
        results = []
        for label, load in (
            ("raw COPY (reference)", lambda: conn.copy_records_to_table("bench_raw", records=rows)),
            (
                "raw executemany (reference)",
                lambda: conn.executemany(
                    "INSERT INTO bench_raw VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)", rows
                ),
            ),
        ):
            await conn.execute("TRUNCATE bench_raw")
            seconds = await _timed(load)
            results.append({"case": label, "events": total, "events_per_s": total / seconds})
        started = time.perf_counter()
        fetched = await conn.fetch("SELECT * FROM bench_raw ORDER BY position")
        seconds = time.perf_counter() - started
        results.append(
            {
                "case": "raw ordered SELECT (reference)",
                "events": len(fetched),
                "events_per_s": len(fetched) / seconds,
            }
        )
        await conn.execute("DROP TABLE bench_raw")
        return results
    finally:
        await conn.close()


async def raw_sqlite(sample: SampleEvents, total: int, path: Path) -> list[dict[str, Any]]:
    rows = [
        (*row[:3], row[3].bytes, *row[4:8], row[8].isoformat(), row[9])
        for row in rows_for_raw(sample, total)
    ]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE bench_raw (position integer primary key, stream_id text, stream_version"
        " integer, event_id blob unique, event_type text, schema_version integer, data blob,"
        " metadata blob, recorded_at text, hash text)"
    )
    started = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO bench_raw VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    seconds = time.perf_counter() - started
    conn.close()
    return [
        {"case": "raw executemany (reference)", "events": total, "events_per_s": total / seconds}
    ]


async def _timed(action: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


async def run_store(
    name: str, store: EventStore, sample: SampleEvents, total: int
) -> list[dict[str, Any]]:
    rows = [
        await batched(store, sample, total),
        await concurrent_singles(store, sample, min(total // 5, 20_000)),
    ]
    report = await verify_store(store)
    assert report.intact, report.first_break
    assert report.last_position == report.events, "positions are not gap-free"
    rows.append(await full_read(store, sample, decode=False))
    rows.append(await full_read(store, sample, decode=True))
    return [{"store": name, **row} for row in rows]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    sample = SampleEvents(Path(tempfile.mkdtemp()) / "keys.json")
    rows: list[dict[str, Any]] = []
    context: dict[str, Any] = {"events": args.events}
    if args.only in (None, "sqlite"):
        folder = Path(tempfile.mkdtemp())
        store = await SqliteEventStore.open(folder / "bench.db")
        try:
            rows += await run_store("sqlite", store, sample, args.events)
        finally:
            await store.close()
        rows += [
            {"store": "sqlite", **r}
            for r in await raw_sqlite(sample, args.events, folder / "raw.db")
        ]
    if args.only in (None, "postgresql"):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        store = await PostgresEventStore.open(POSTGRES, schema=schema)
        try:
            rows += await run_store("postgresql", store, sample, args.events)
        finally:
            await store.close()
            conn = await asyncpg.connect(POSTGRES)
            context["postgresql"] = {
                key: await conn.fetchval(f"SHOW {key}")
                for key in (
                    "server_version",
                    "fsync",
                    "synchronous_commit",
                    "wal_sync_method",
                    "shared_buffers",
                )
            }
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
            await conn.close()
        rows += [{"store": "postgresql", **r} for r in await raw_postgres(sample, args.events)]
    emit("eventstore", rows, context)


if __name__ == "__main__":
    asyncio.run(main())
