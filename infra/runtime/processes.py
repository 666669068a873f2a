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
from contextlib import AsyncExitStack

import structlog

from infra.logging import configure_logging
from infra.runtime.lifecycle import http_status, reachable_host, stop_on_signals, with_broker
from infra.settings import SERVICES, Settings

log = structlog.get_logger()
HEALTH_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class ChildExited(RuntimeError):
    """A child process ended on its own; the message names it and its exit code."""


async def up(settings: Settings) -> None:
    """The relay and the five services, on the configured broker or a local one."""
    configure_logging(service="up", level=settings.log_level)
    stop = stop_on_signals()
    async with AsyncExitStack() as stack:
        settings = await with_broker(settings, stack)
        env = {
            **os.environ,
            "ONECARD_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers or "",
            "ONECARD_RELAY_CHECKPOINT": settings.relay_checkpoint,
        }
        children: dict[str, Process] = {}
        stack.push_async_callback(_stop_all, children)
        children["relay"] = await _spawn(["relay"], env)
        for service in SERVICES:
            children[service] = await _spawn(["serve", service], env)
        await _wait_healthy(settings, children)
        print(_table(settings), flush=True)
        await _until_stopped(stop, children)


async def _spawn(arguments: list[str], env: dict[str, str]) -> Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "infra.cli", *arguments, env=env
    )


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


def _table(settings: Settings) -> str:
    host = reachable_host(settings)
    rows = [f"{'service':<10} {'API':<24} OpenAPI"]
    for service in SERVICES:
        base = f"http://{host}:{settings.http_port(service)}"
        rows.append(f"{service:<10} {base:<24} {base}/docs")
    rows.append(f"relay → Kafka at {settings.kafka_bootstrap_servers}; Ctrl-C stops everything")
    return "\n".join(rows)
