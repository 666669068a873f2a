"""``up``: the whole system on one machine, each part in its own process.

Processes rather than tasks in one interpreter because that is how it is deployed (one
container per service, docker-compose.yml): a crash, a blocking call or a memory leak stays in
its service, and a service or the relay can be killed and restarted alone. All children get
the same broker address; they stop together, on a signal or when any one of them exits.
"""

from __future__ import annotations

import asyncio
import os
import sys
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import structlog

from infra.logging import configure_logging
from infra.runtime.lifecycle import http_status, reachable_host, stop_on_signals, with_broker
from infra.settings import SERVICES, Settings

log = structlog.get_logger()
HEALTH_TIMEOUT = 180.0  # six interpreters importing at once on a small, busy machine
STOP_TIMEOUT = 15.0


class ChildExited(RuntimeError):
    """A child process ended on its own; the message names it and its exit code."""


@dataclass(frozen=True)
class RunningSystem:
    """The system ``running_system`` started: where each service answers."""

    settings: Settings
    children: dict[str, Process]

    def url(self, service: str) -> str:
        return f"http://{reachable_host(self.settings)}:{self.settings.http_port(service)}"

    def table(self) -> str:
        rows = [f"{'service':<10} {'API':<24} OpenAPI"]
        for service in SERVICES:
            rows.append(f"{service:<10} {self.url(service):<24} {self.url(service)}/docs")
        servers = self.settings.kafka_bootstrap_servers
        rows.append(f"relay → Kafka at {servers}; store {self.settings.event_store_url}")
        return "\n".join(rows)

    async def until_stopped(self, stop: asyncio.Event) -> None:
        """Return when ``stop`` is set; raise ChildExited when a child ends on its own."""
        await _until_stopped(stop, self.children)


@asynccontextmanager
async def running_system(
    settings: Settings, *, log_dir: Path | None = None
) -> AsyncIterator[RunningSystem]:
    """The relay and the five services, on the configured broker or a local one, each healthy
    before this yields; all of it stopped (and the local broker with it) on exit. With
    ``log_dir`` each child writes its JSON log lines to ``<log_dir>/<name>.log``."""
    async with AsyncExitStack() as stack:
        settings = await with_broker(settings, stack)
        env = {
            **os.environ,
            "ONECARD_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers or "",
            "ONECARD_RELAY_CHECKPOINT": settings.relay_checkpoint,
        }
        children: dict[str, Process] = {}
        stack.push_async_callback(_stop_all, children)
        for name, arguments in (("relay", ["relay"]), *((s, ["serve", s]) for s in SERVICES)):
            log = stack.enter_context(_log_file(log_dir, name))
            children[name] = await _spawn(arguments, env, log)
        await _wait_healthy(settings, children)
        yield RunningSystem(settings, children)


async def up(settings: Settings) -> None:
    """Run the whole system until SIGINT or SIGTERM (or until a child dies)."""
    configure_logging(service="up", level=settings.log_level)
    stop = stop_on_signals()
    async with running_system(settings) as system:
        print(system.table(), "\nCtrl-C stops everything.", flush=True)
        await system.until_stopped(stop)


async def _spawn(arguments: list[str], env: dict[str, str], log: IO[bytes] | None) -> Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "infra.cli", *arguments, env=env, stdout=log, stderr=log
    )


@contextmanager
def _log_file(log_dir: Path | None, name: str) -> Iterator[IO[bytes] | None]:
    if log_dir is None:
        yield None
        return
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"{name}.log").open("ab") as log:
        yield log


async def _wait_healthy(settings: Settings, children: dict[str, Process]) -> None:
    host = reachable_host(settings)
    async with asyncio.timeout(HEALTH_TIMEOUT):
        for service in SERVICES:
            while await http_status(host, settings.http_port(service), "/health") != 200:
                _raise_if_exited(children)
                await asyncio.sleep(0.2)


async def _until_stopped(stop: asyncio.Event, children: dict[str, Process]) -> None:
    waits = [asyncio.ensure_future(child.wait()) for child in children.values()]
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait([stopping, *waits], return_when=asyncio.FIRST_COMPLETED)
    for task in [stopping, *waits]:
        task.cancel()
    if not stop.is_set():
        _raise_if_exited(children)


def _raise_if_exited(children: dict[str, Process]) -> None:
    for name, child in children.items():
        if child.returncode is not None:
            raise ChildExited(f"{name} exited with code {child.returncode}")


async def _stop_all(children: dict[str, Process]) -> None:
    running = [child for child in children.values() if child.returncode is None]
    for child in running:
        child.terminate()
    await asyncio.gather(*(_reap(child) for child in running))


async def _reap(child: Process) -> None:
    try:
        await asyncio.wait_for(child.wait(), STOP_TIMEOUT)
    except TimeoutError:
        log.warning("up.child_killed", pid=child.pid)
        child.kill()
        await child.wait()
