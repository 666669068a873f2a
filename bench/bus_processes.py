"""bench.bus in the deployed layout: ``onecard relay`` and ``onecard serve publicity`` as their
own processes (``python -m infra.cli …``) on one store (a SQLite file, or PostgreSQL schemas
with ``--store postgresql``) and a local broker, with this process only appending
registrations and observing.

Latency per event is from the append's return (wall clock, taken here) to the ``applied_at``
the publicity consumer wrote into its inbox row for that event (wall clock, taken in the
service process when it claims the batch, inside the projection transaction; same machine, so
the same clock). The inbox is read after each phase, so observing costs the run nothing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.bus_phases import LATENCY_TARGET, THROUGHPUT_TARGET
from bench.bus_probe import summary
from bench.sample_events import SampleEvents
from infra.bus.local_broker import LocalBroker, free_port
from infra.eventstore.port import NO_STREAM, EventStore
from infra.eventstore.postgres import PostgresEventStore
from infra.eventstore.sqlite import SqliteEventStore
from infra.settings import SERVICES

CONSUMER = "publicity-village-register"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
STOP_TIMEOUT = 15.0
DEADLINE = 300.0


class Children:
    """``python -m infra.cli …`` children, output in log files; each is stopped with SIGTERM,
    then SIGKILL after STOP_TIMEOUT, when the bench leaves (also on failure)."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, *arguments: str, **settings: str) -> subprocess.Popen[bytes]:
        name = f"{'-'.join(arguments)}-{len(self.started)}"
        env = self.env | {f"ONECARD_{k.upper()}": v for k, v in settings.items()}
        with (self.folder / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "infra.cli", *arguments],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started.append((name, process))
        return process

    def check(self) -> None:
        for name, process in self.started:
            if process.returncode is None and process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def stop(self, process: subprocess.Popen[bytes]) -> int:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT)
        return process.returncode

    def stop_all(self) -> None:
        for _, process in reversed(self.started):
            self.stop(process)

    def tail(self, name: str, lines: int = 20) -> str:
        text = (self.folder / f"{name}.log").read_text(errors="replace").splitlines()
        logged = [line for line in text if line and line not in "{}" and not line[0].isspace()]
        return "\n".join(logged[-lines:])


class Deployed:
    """Broker, event store file, publicity service process and relay process; ``async with``
    stops every process, closes the store and removes the folder."""

    def __init__(self, sample: SampleEvents, key_file: Path, poll: float, kind: str) -> None:
        self.sample, self.poll, self.kind = sample, poll, kind
        self.folder = Path(tempfile.mkdtemp(prefix="bench-bus-proc-"))
        self._stack = AsyncExitStack()
        self._stack.callback(shutil.rmtree, self.folder, ignore_errors=True)
        self._schemas: list[str] = []
        self._stack.push_async_callback(self._drop_schemas)
        if kind == "sqlite":
            self.projections = str(self.folder / "publicity-projections.db")
            projections = f"sqlite+aiosqlite:///{self.folder}/{{service}}-projections.db"
        else:
            self.projections = self._schema("proj")
            projections = f"{POSTGRES}?schema={self.projections}"
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONECARD_")}
        self.env = env | {
            "ONECARD_DATA_DIR": str(self.folder),
            "ONECARD_KEY_FILE": str(key_file),
            "ONECARD_PROJECTION_DB_URL": projections,
            "ONECARD_HTTP_BASE_PORT": str(self.port - 1 - SERVICES.index("publicity")),
            "ONECARD_LOG_LEVEL": "WARNING",
        }
        self.children = Children(self.folder, self.env)
        self.applied_base = 0

    async def __aenter__(self) -> Deployed:
        broker = LocalBroker(log_path=self.folder / "broker.log")
        try:
            await asyncio.to_thread(broker.start)
        except BaseException:
            await self._stack.aclose()
            raise
        self._stack.callback(broker.stop)
        self.env["ONECARD_KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap_servers
        self._stack.callback(self.children.stop_all)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def new_store(self) -> tuple[EventStore, str]:
        if self.kind == "sqlite":
            path = self.folder / f"events-{uuid.uuid4().hex[:6]}.db"
            store: EventStore = await SqliteEventStore.open(path)
            url = f"sqlite:///{path}"
        else:
            schema = self._schema("events")
            store = await PostgresEventStore.open(POSTGRES, schema=schema)
            url = f"{POSTGRES}?schema={schema}"
        self._stack.push_async_callback(store.close)
        return store, url

    def _schema(self, kind: str) -> str:
        schema = f"bench_proc_{kind}_{uuid.uuid4().hex[:8]}"
        self._schemas.append(schema)
        return schema

    async def _drop_schemas(self) -> None:
        if not self._schemas:
            return
        conn = await asyncpg.connect(POSTGRES)
        try:
            for schema in self._schemas:
                await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        finally:
            await conn.close()

    async def inbox(self) -> list[tuple[str, float]]:
        """Every (event id, applied_at as epoch seconds) of the consumer's inbox."""
        if self.kind == "sqlite":
            return await asyncio.to_thread(sqlite_inbox, Path(self.projections))
        conn = await asyncpg.connect(POSTGRES)
        try:
            query = f"SELECT event_id, applied_at FROM {self.projections}.inbox WHERE consumer = $1"
            rows = await conn.fetch(query, CONSUMER)
        except asyncpg.UndefinedTableError:
            return []
        finally:
            await conn.close()
        return [(str(r["event_id"]), r["applied_at"].timestamp()) for r in rows]

    async def inbox_count(self) -> int:
        if self.kind == "sqlite":
            return await asyncio.to_thread(inbox_count, Path(self.projections))
        conn = await asyncpg.connect(POSTGRES)
        try:
            query = f"SELECT count(*) FROM {self.projections}.inbox WHERE consumer = $1"
            return int(await conn.fetchval(query, CONSUMER))
        except asyncpg.UndefinedTableError:
            return 0
        finally:
            await conn.close()

    async def applied_at(self, ids: Iterable[str]) -> dict[str, float]:
        """The inbox's ``applied_at`` of each event id, as epoch seconds."""
        wanted = {str(uuid.UUID(i)) for i in ids}
        stamps = {str(uuid.UUID(event_id)): at for event_id, at in await self.inbox()}
        return {i: at for i, at in stamps.items() if i in wanted}

    async def start_publicity(self, store_url: str) -> subprocess.Popen[bytes]:
        process = self.children.start("serve", "publicity", event_store_url=store_url)
        await self.until(lambda: _answers(self.port), what="publicity answers /health")
        return process

    def start_relay(self, store_url: str, checkpoint: str) -> subprocess.Popen[bytes]:
        return self.children.start("relay", event_store_url=store_url, relay_checkpoint=checkpoint)

    async def until(self, condition: Any, *, what: str, timeout: float = DEADLINE) -> None:
        deadline = time.monotonic() + timeout
        while not await condition():
            self.children.check()
            if time.monotonic() > deadline:
                raise TimeoutError(f"not within {timeout:g} s: {what}")
            await asyncio.sleep(self.poll)

    async def until_applied(self, ids: list[str], *, timeout: float = DEADLINE) -> None:
        """Wait until the inbox holds ``ids`` more rows than at the last ``mark_base``."""
        wanted = self.applied_base + len(ids)

        async def done() -> bool:
            return await self.inbox_count() >= wanted

        await self.until(done, what=f"{len(ids)} events in the inbox", timeout=timeout)

    async def mark_base(self) -> None:
        self.applied_base = await self.inbox_count()


async def _answers(port: int) -> bool:
    from infra.runtime.lifecycle import http_status

    return await http_status("127.0.0.1", port, "/health") == 200


def inbox_count(database: Path) -> int:
    try:
        with sqlite3.connect(database) as conn:
            query = "SELECT count(*) FROM inbox WHERE consumer = ?"
            return int(conn.execute(query, (CONSUMER,)).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def sqlite_inbox(database: Path) -> list[tuple[str, float]]:
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT event_id, applied_at FROM inbox WHERE consumer = ?", (CONSUMER,)
        ).fetchall()
    stamps = []
    for event_id, at in rows:
        moment = datetime.fromisoformat(str(at))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)  # SQLite keeps the UTC value, no zone
        stamps.append((str(event_id), moment.timestamp()))
    return stamps


async def append_one(store: EventStore, sample: SampleEvents) -> tuple[str, float]:
    """Append one registration; its id and the wall-clock moment the append returned."""
    batch = sample.batch(1)
    event_id = str(batch[0].event_id)
    await store.append(f"beneficiary-{event_id}", batch, expected_version=NO_STREAM)
    return event_id, time.time()


def latencies_ms(returned: dict[str, float], applied: dict[str, float]) -> list[float]:
    missing = set(returned) - set(applied)
    if missing:
        raise RuntimeError(f"{len(missing)} events never reached the inbox")
    return sorted((applied[i] - returned[i]) * 1000 for i in returned)


async def latency(
    sample: SampleEvents,
    key_file: Path,
    kind: str,
    *,
    rate: float,
    seconds: float,
    idle: float,
    repeats: int,
    poll: float,
) -> list[dict[str, Any]]:
    async with Deployed(sample, key_file, poll, kind) as system:
        store, url = await system.new_store()
        await system.start_publicity(url)
        system.start_relay(url, "relay-bench-latency")
        warm, _ = await append_one(store, sample)  # the topic exists, the group has joined
        await system.until_applied([warm], timeout=120)
        await asyncio.sleep(1.0)
        await system.mark_base()
        returned, append_ms, achieved = await offered(store, sample, rate=rate, seconds=seconds)
        await system.until_applied(list(returned))
        applied = await system.applied_at(returned)
        rows = [
            {
                "case": f"latency @ {rate:,.0f}/s offered, append return → inbox applied_at",
                "events": len(returned),
                "events_per_s": achieved,
                **summary(latencies_ms(returned, applied)),
                "target": LATENCY_TARGET,
            },
            {"case": "  append call → return (bench process)", **summary(append_ms)},
        ]
        for n in range(repeats):
            await asyncio.sleep(idle)
            system.children.check()
            await system.mark_base()
            event_id, at = await append_one(store, sample)
            await system.until_applied([event_id], timeout=60)
            one = await system.applied_at([event_id])
            rows.append(
                {
                    "case": f"first event after {idle:.0f} s idle (#{n + 1})",
                    "events": 1,
                    **summary(latencies_ms({event_id: at}, one)),
                    "target": LATENCY_TARGET,
                }
            )
    return rows


async def offered(
    store: EventStore, sample: SampleEvents, *, rate: float, seconds: float
) -> tuple[dict[str, float], list[float], float]:
    """One single-event append every 1/rate s by the clock (open loop)."""

    async def timed() -> tuple[str, float, float]:
        began = time.perf_counter()
        event_id, at = await append_one(store, sample)
        return event_id, at, (time.perf_counter() - began) * 1000

    tasks = []
    started = time.perf_counter()
    for n in range(int(rate * seconds)):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(timed()))
    done = await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    returned = {event_id: at for event_id, at, _ in done}
    return returned, sorted(ms for _, _, ms in done), len(done) / elapsed


async def sustained(
    sample: SampleEvents, key_file: Path, kind: str, *, total: int, poll: float
) -> list[dict[str, Any]]:
    async with Deployed(sample, key_file, poll, kind) as system:
        store, url = await system.new_store()
        began = time.perf_counter()
        ids: list[str] = []
        for start in range(0, total, 1_000):
            chunk = range(start, min(total, start + 1_000))
            ids += [i for i, _ in await asyncio.gather(*(append_one(store, sample) for _ in chunk))]
        load_rate = total / (time.perf_counter() - began)
        # The service joins first on a warm-up store/relay, so the group is ready.
        warm_store, warm_url = await system.new_store()
        await system.start_publicity(url)
        warm_relay = system.start_relay(warm_url, "relay-bench-warm")
        warm, _ = await append_one(warm_store, sample)
        await system.until_applied([warm], timeout=120)
        system.children.stop(warm_relay)
        await system.mark_base()
        started = time.time()
        system.start_relay(url, "relay-bench-sustained")
        await system.until_applied(ids, timeout=900)
        stamps = sorted((await system.applied_at(ids)).values())
        if len(stamps) != total:
            raise RuntimeError(f"{total - len(stamps)} events never reached the inbox")
        first, last = stamps[0], stamps[-1]
        return [
            {"case": "preload store (setup)", "events": total, "events_per_s": load_rate},
            {
                "case": "sustained: end to end (relay process start → last applied_at)",
                "events": total,
                "events_per_s": total / (last - started),
                "target": THROUGHPUT_TARGET,
                "first_applied_s": first - started,
                "total_s": last - started,
            },
            {
                "case": "sustained: first → last applied_at",
                "events": total,
                "events_per_s": total / (last - first),
            },
        ]


def context(kind: str, poll: float) -> dict[str, Any]:
    return {
        "store": kind,
        "projections": kind,
        "process_layout": "bench appends; `python -m infra.cli relay` and "
        "`python -m infra.cli serve publicity` as separate processes; local broker",
        "latency_end": "inbox.applied_at (claim time, in the projection transaction)",
        "tracing": "console exporter (no ONECARD_OTLP_ENDPOINT), child output to log files",
        "bench_inbox_poll_s": poll,
    }
