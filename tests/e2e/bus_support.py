"""Plumbing for the end-to-end bus test: ``onecard serve`` and ``onecard relay`` as real
processes on one SQLite store file and the local broker, registrations appended by the
registry's application function, and what can be observed from outside (HTTP, the projection
file's inbox, Kafka topics and the consumer group's committed offsets)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts.envelope import Actor
from contracts.pii import CitizenId
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.pii import FieldCipher
from infra.settings import SERVICES
from services.registry.application.register_beneficiary import register_beneficiary
from services.registry.domain import citizen_id
from services.registry.domain.beneficiary import RegisterBeneficiary
from services.registry.domain.events import REGISTRY_EVENTS

VILLAGES = tuple(f"650102001{n:03d}" for n in range(1, 11))
CLERK = Actor(user_id="u-clerk-e2e", role="township_operator", jurisdiction_code="650102001")
NAMES = ("王建国", "李秀英", "阿依古丽·买买提", "张三丰", "刘洋")
STOP_TIMEOUT = 30.0


def base_port_for(service: str, port: int) -> int:
    """The ``ONECARD_HTTP_BASE_PORT`` that puts ``service`` on ``port``."""
    return port - 1 - SERVICES.index(service)


# -- registrations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Registrar:
    """Appends registrations as the registry's POST /beneficiaries does, person ``n`` of a
    synthetic population: a valid citizen ID, one of ten villages."""

    store: EventStore
    cipher: FieldCipher

    async def register(self, numbers: Iterable[int], *, concurrency: int = 50) -> None:
        numbers = list(numbers)
        for start in range(0, len(numbers), concurrency):
            chunk = numbers[start : start + concurrency]
            await asyncio.gather(*(self._register_one(n) for n in chunk))

    async def _register_one(self, n: int) -> None:
        now = datetime.now(UTC)
        command = RegisterBeneficiary(
            beneficiary_id=f"b-{n:05d}",
            citizen_id=CitizenId(
                citizen_id.make("650102", date(1950, 1, 1) + timedelta(n), n % 1000)
            ),
            name=NAMES[n % len(NAMES)],
            village_code=village_of(n),
            household_id=f"h-{n:05d}",
            phone=None,
            today=now.date(),
        )
        context = CommandContext(
            actor=CLERK, at=now, correlation_id=uuid.uuid4(), idempotency_key=f"e2e-{n}"
        )
        codec = EventCodec(registry=REGISTRY_EVENTS, cipher=self.cipher)
        result = await register_beneficiary(
            store=self.store, codec=codec, index=self.cipher, command=command, context=context
        )
        assert result is not None, f"registration {n} was refused or already done"


def village_of(n: int) -> str:
    return VILLAGES[n % len(VILLAGES)]


# -- processes ----------------------------------------------------------------------------


@dataclass
class Processes:
    """``python -m infra.cli …`` children with their output in log files; whatever is still
    running at the end is killed."""

    env: dict[str, str]
    log_dir: Path
    started: list[tuple[str, subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def start(self, *arguments: str) -> subprocess.Popen[bytes]:
        name = f"{'-'.join(arguments)}-{len(self.started)}"
        log = self.log_dir / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "infra.cli", *arguments],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.started.append((name, process, log))
        return process

    def assert_running(self, process: subprocess.Popen[bytes]) -> None:
        code = process.poll()
        assert code is None, f"{self._name(process)} exited with {code}:\n{self.tail(process)}"

    async def stop(self, process: subprocess.Popen[bytes]) -> int:
        """SIGTERM, and the exit code once the process has stopped (SIGKILL after a while)."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(_reap, process)

    async def kill(self, process: subprocess.Popen[bytes]) -> int:
        process.send_signal(signal.SIGKILL)
        return await asyncio.to_thread(process.wait, STOP_TIMEOUT)

    def tail(self, process: subprocess.Popen[bytes], lines: int = 30) -> str:
        """The last log lines of ``process``, without the spans the console exporter prints
        (indented JSON objects) around them."""
        log = next(log for _, p, log in self.started if p is process)
        text = log.read_text(errors="replace").splitlines()
        logged = [line for line in text if line and line not in "{}" and not line[0].isspace()]
        return "\n".join(logged[-lines:])

    def close(self) -> None:
        for name, process, _ in self.started:
            if process.poll() is None:
                _reap(process)
            print(f"--- {name} (exit {process.returncode}), last lines:\n{self.tail(process)}")

    def _name(self, process: subprocess.Popen[bytes]) -> str:
        return next(name for name, p, _ in self.started if p is process)


def _reap(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.terminate()
    try:
        return process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(STOP_TIMEOUT)


def child_environment(**settings: str) -> dict[str, str]:
    """This environment without any ONECARD_ variable, plus ``settings`` as ONECARD_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONECARD_")}
    return env | {f"ONECARD_{name.upper()}": value for name, value in settings.items()}


# -- observations -------------------------------------------------------------------------


async def register_sizes(client: httpx.AsyncClient) -> dict[str, int]:
    """How many people each village's public register lists, over HTTP."""
    sizes = {}
    for village in VILLAGES:
        answer = await client.get(f"/villages/{village}/register")
        answer.raise_for_status()
        sizes[village] = len(answer.json()["beneficiaries"])
    return sizes


def inbox_rows(database: Path, consumer: str) -> int:
    """Rows of ``consumer`` in the inbox of a SQLite projection database (0 before it exists)."""
    with sqlite3.connect(database) as conn:
        try:
            query = "SELECT count(*) FROM inbox WHERE consumer = ?"
            return int(conn.execute(query, (consumer,)).fetchone()[0])
        except sqlite3.OperationalError:
            return 0


async def read_to_end(bootstrap: str, topic: str, *, at_least: int) -> list[Any]:
    """Every record of ``topic`` once at least ``at_least`` arrived and no more follow (the
    local broker's ListOffsets answers are not exact offsets, so the end is found by reading)."""
    reader = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await reader.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(60):
            while True:
                batches = (await reader.getmany(timeout_ms=1_000)).values()
                if not batches and len(records) >= at_least:
                    return records
                records.extend(record for batch in batches for record in batch)
    finally:
        await reader.stop()


def ends_of(records: Iterable[Any]) -> dict[int, int]:
    """The offset after the last of ``records`` in each partition."""
    ends: dict[int, int] = {}
    for record in records:
        ends[record.partition] = max(ends.get(record.partition, 0), record.offset + 1)
    return ends


async def committed(
    bootstrap: str, *, group: str, topic: str, partitions: Iterable[int]
) -> dict[int, int]:
    """The offsets ``group`` has committed on ``topic`` (0 where none), read without joining
    the group (no subscription, no auto commit): the consumer measured is not disturbed."""
    peek = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await peek.start()
    try:
        return {p: await peek.committed(TopicPartition(topic, p)) or 0 for p in partitions}
    finally:
        await peek.stop()
