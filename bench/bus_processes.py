"""bench.bus in the deployed layout: ``onecard relay`` and ``onecard serve publicity`` as their
own processes (``python -m infra.cli …``) on one store (a SQLite file, or PostgreSQL schemas
with ``--store postgresql``) and a local broker, with this process only appending
registrations and observing.

Latency per event is from the append's return (wall clock, taken here) to the moment the event
is visible in the publicity projection to another reader: a watcher process (bench.bus_watch)
looks for the ids in the inbox every millisecond and stamps each with the start of the first
look that found it (late by at most a look, never early; same machine, so the same clock).
The ``applied_at`` the consumer wrote into its inbox row (the claim, inside the projection
transaction, before the handler's write and the commit) is shown beside it. Throughput is
read from ``applied_at`` after each phase, so observing costs the run nothing there.
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
from collections.abc import Callable, Iterable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import psutil  # type: ignore[import-untyped]

from bench.bus_phases import LATENCY_TARGET, THROUGHPUT_TARGET
from bench.bus_probe import summary
from bench.bus_watch import Watcher
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
TRACE_RATIO: float = 0.01
"""Share of traces the children sample (OTel's ``parentbased_traceidratio``; 1: every one).
The bench's events carry no trace context, so each message starts a trace of its own."""


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
            **sampling(TRACE_RATIO),
        }
        self.children = Children(self.folder, self.env)
        self.applied_base = 0
        self.broker: subprocess.Popen[bytes] | None = None

    async def __aenter__(self) -> Deployed:
        broker = LocalBroker(log_path=self.folder / "broker.log")
        try:
            await asyncio.to_thread(broker.start)
        except BaseException:
            await self._stack.aclose()
            raise
        self._stack.callback(broker.stop)
        self.broker = broker._process  # for its CPU time
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

    async def watcher(self) -> Watcher:
        """A bench.bus_watch process on the consumer's inbox, ready to be told ids; stopped
        when the system is."""
        if self.kind == "sqlite":
            where = ["--sqlite", self.projections]
        else:
            where = ["--postgres", POSTGRES, "--schema", self.projections]
        watcher = Watcher(self.folder, CONSUMER, where, self.env)
        self._stack.callback(watcher.stop)
        await watcher.ready()
        return watcher

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
        service = await system.start_publicity(url)
        relay = system.start_relay(url, "relay-bench-latency")
        warm, _ = await append_one(store, sample)  # the topic exists, the group has joined
        await system.until_applied([warm], timeout=120)
        await asyncio.sleep(1.0)
        await system.mark_base()
        watcher = await system.watcher()
        cpu = CpuTimes({"relay": relay, "service": service, "broker": system.broker, "bench": None})
        returned, append_ms, achieved = await offered(
            store, sample, rate=rate, seconds=seconds, watch=watcher.watch
        )
        await system.until_applied(list(returned))
        busy = cpu.per_event_us(len(returned))
        visible, applied = watcher.seen(), await system.applied_at(returned)
        rows = [
            {
                "case": f"latency @ {rate:,.0f}/s offered, append return → visible in projection",
                "events": len(returned),
                "events_per_s": achieved,
                **summary(latencies_ms(returned, visible)),
                "target": LATENCY_TARGET,
                "cpu_us_per_event": _cpu_text(busy),
            },
            {
                "case": "  append return → inbox applied_at (claim, before commit)",
                **summary(latencies_ms(returned, applied)),
            },
            {"case": "  append call → return (bench process)", **summary(append_ms)},
        ]
        for n in range(repeats):
            rows.append(await after_idle(system, store, sample, idle=idle, n=n + 1))
    return rows


class CpuTimes:
    """CPU (user + system) each process used from now on, per event: what a phase costs
    each part whatever else loads the machine. ``None`` stands for this process."""

    def __init__(self, processes: dict[str, subprocess.Popen[bytes] | None]) -> None:
        self._processes = {
            name: psutil.Process(p.pid if p else None) for name, p in processes.items()
        }
        self._before = {name: self._used(p) for name, p in self._processes.items()}

    def per_event_us(self, events: int) -> dict[str, float]:
        return {
            name: (self._used(p) - self._before[name]) / events * 1e6
            for name, p in self._processes.items()
        }

    @staticmethod
    def _used(process: psutil.Process) -> float:
        times = process.cpu_times()
        return float(times.user + times.system)


async def after_idle(
    system: Deployed, store: EventStore, sample: SampleEvents, *, idle: float, n: int
) -> dict[str, Any]:
    """One event appended after ``idle`` seconds of nothing."""
    watcher = await system.watcher()
    await asyncio.sleep(idle)
    system.children.check()
    await system.mark_base()
    event_id, at = await append_one(store, sample)
    watcher.watch(event_id)
    await system.until_applied([event_id], timeout=60)
    claimed = latencies_ms({event_id: at}, await system.applied_at([event_id]))
    return {
        "case": f"first event after {idle:.0f} s idle (#{n})",
        "events": 1,
        **summary(latencies_ms({event_id: at}, watcher.seen())),
        "target": LATENCY_TARGET,
        "claim_ms": claimed[0],
    }


async def offered(
    store: EventStore,
    sample: SampleEvents,
    *,
    rate: float,
    seconds: float,
    watch: Callable[[str], None],
) -> tuple[dict[str, float], list[float], float]:
    """One single-event append every 1/rate s by the clock (open loop); ``watch`` is told
    each id as its append returns."""

    async def timed() -> tuple[str, float, float]:
        began = time.perf_counter()
        event_id, at = await append_one(store, sample)
        watch(event_id)
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
    """The agent alone on a full topic, then relay and agent together on a full store, each
    on a fresh system (broker, store, projections)."""
    async with Deployed(sample, key_file, poll, kind) as system:
        rows = await agent_only(system, sample, total=total)
    async with Deployed(sample, key_file, poll, kind) as system:
        rows += await end_to_end(system, sample, total=total)
    return rows


async def preload(store: EventStore, sample: SampleEvents, total: int) -> tuple[list[str], float]:
    """``total`` registrations, 1,000 appends at a time; their ids and the appends per second."""
    began, ids = time.perf_counter(), list[str]()
    for start in range(0, total, 1_000):
        chunk = range(start, min(total, start + 1_000))
        ids += [i for i, _ in await asyncio.gather(*(append_one(store, sample) for _ in chunk))]
    return ids, total / (time.perf_counter() - began)


async def agent_only(system: Deployed, sample: SampleEvents, *, total: int) -> list[dict[str, Any]]:
    """The relay publishes the whole store and stops; then ``serve publicity`` starts and its
    agent consumes the full topic: first → last ``applied_at``."""
    store, url = await system.new_store()
    ids, load_rate = await preload(store, sample, total)
    relay = system.start_relay(url, "relay-bench-agent")
    head = await store.head_position()

    async def relayed() -> bool:
        return await store.load_checkpoint("relay-bench-agent") >= head

    await system.until(relayed, what="the relay published the whole store")
    system.children.stop(relay)
    await system.mark_base()
    cpu = CpuTimes({"service": await system.start_publicity(url), "broker": system.broker})
    await system.until_applied(ids, timeout=900)
    busy = cpu.per_event_us(total)
    first, last = _first_last(await system.applied_at(ids), total)
    return [
        {"case": "preload store (setup)", "events": total, "events_per_s": load_rate},
        {
            "case": "sustained: Faust agent only, in `serve publicity` (first → last applied_at)",
            "events": total,
            "events_per_s": total / (last - first),
            "target": THROUGHPUT_TARGET,
            "total_s": last - first,
            "cpu_us_per_event": _cpu_text(busy),
        },
    ]


async def end_to_end(system: Deployed, sample: SampleEvents, *, total: int) -> list[dict[str, Any]]:
    """The service joins first (on a warm-up store and relay), then the relay process starts
    on the full store: relay start → last ``applied_at``."""
    store, url = await system.new_store()
    ids, _ = await preload(store, sample, total)
    warm_store, warm_url = await system.new_store()
    service = await system.start_publicity(url)
    warm_relay = system.start_relay(warm_url, "relay-bench-warm")
    warm, _ = await append_one(warm_store, sample)
    await system.until_applied([warm], timeout=120)
    system.children.stop(warm_relay)
    await system.mark_base()
    started = time.time()
    system.start_relay(url, "relay-bench-sustained")
    cpu = CpuTimes({"service": service, "broker": system.broker})  # the relay is starting
    await system.until_applied(ids, timeout=900)
    busy = cpu.per_event_us(total)
    first, last = _first_last(await system.applied_at(ids), total)
    return [
        {
            "case": "sustained: end to end, relay and agent (first → last applied_at)",
            "events": total,
            "events_per_s": total / (last - first),
            "target": THROUGHPUT_TARGET,
            "total_s": last - first,
            "cpu_us_per_event": _cpu_text(busy),
        },
        {
            "case": "  end to end from the relay process's start (its start-up included)",
            "events": total,
            "events_per_s": total / (last - started),
            "first_applied_s": first - started,
            "total_s": last - started,
        },
    ]


def sampling(ratio: float) -> dict[str, str]:
    """The OTel SDK's sampler settings for the children: every trace at 1, else the ratio."""
    if ratio >= 1.0:
        return {}
    sampler = "parentbased_traceidratio"
    return {"OTEL_TRACES_SAMPLER": sampler, "OTEL_TRACES_SAMPLER_ARG": str(ratio)}


def _cpu_text(busy: dict[str, float]) -> str:
    return " ".join(f"{name} {us:.0f}" for name, us in busy.items())


def _first_last(stamps: dict[str, float], total: int) -> tuple[float, float]:
    if len(stamps) != total:
        raise RuntimeError(f"{total - len(stamps)} events never reached the inbox")
    ordered = sorted(stamps.values())
    return ordered[0], ordered[-1]


def context(kind: str, poll: float) -> dict[str, Any]:
    return {
        "store": kind,
        "projections": kind,
        "process_layout": "bench appends; `python -m infra.cli relay` and "
        "`python -m infra.cli serve publicity` as separate processes; local broker",
        "latency_end": "visible in the projection to another reader (bench.bus_watch, 1 ms looks)",
        "throughput_end": "inbox.applied_at (claim time, in the projection transaction)",
        "tracing": "console exporter (no ONECARD_OTLP_ENDPOINT), child output to log files",
        "trace_sampling": sampling(TRACE_RATIO) or "every trace (always_on)",
        "bench_inbox_poll_s": poll,
    }
