"""Bank results intake through the bank HTTP API: signed requests to ``onecard serve payout``.

    python -m bench.bank_results [--rows 10000] [--batch 500] [--in-flight 2] [--trace-ratio 0.01]

Setup (not timed): an approved round of ``--rows`` rows (at most 10,000: one fetch) for one
agent bank, opened and instructed by the payout's own consumer handler on a SQLite event store
and SQLite projection (``infra.synthetic.approved_round``). Then ``python -m infra.cli serve
payout`` runs as its own process on those files — uvicorn on a loopback port, its consumers,
the local broker, tracing as configured — exactly as deployed but for ``--trace-ratio``: the
OpenTelemetry SDK's own sampler setting (``OTEL_TRACES_SAMPLER=parentbased_traceidratio``),
each request's trace kept with that probability; 1.0 keeps every span (the service's default,
exported to the console). Timed, from this process: the bank's ``GET /bank/batches`` of every
pending instruction, then ``POST /bank/results`` of every row's result (3 % failed with mixed
reasons, the rest succeeded) in signed batches of ``--batch``, ``--in-flight`` requests at a
time; then every result once more (all answered ``duplicate``). ``server_cpu_us`` is the CPU
time (user + system) the server process and its children spent per result: the machine is
shared, and this figure moves less with its load than the rates do.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil  # type: ignore[import-untyped]

from bench.report import emit
from infra.bus.local_broker import free_port
from infra.clock import SystemClock
from infra.http.bank_signing import signed_headers
from infra.logging import configure_logging
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import SERVICES, Settings
from infra.synthetic.approved_round import approved_round, deliver
from infra.wiring import make_codec, open_store
from services.payout.bootstrap import build

KEY_ID, BANK, COUNTY = "bench-103", "103", "650102"
SECRET = "bench-secret-0123456789-0123456789-0123456789"
FAILURES = ("account_closed", "name_mismatch", "account_frozen", "bank_system_busy")


def settings_for(folder: Path) -> Settings:
    return Settings(
        data_dir=folder,
        event_store_url=f"sqlite:///{folder}/events.db",
        projection_db_url=f"sqlite+aiosqlite:///{folder}/{{service}}.db",
        key_file=folder / "keys.json",
        bank_keys_file=folder / "bank-keys.json",
    )


async def seed(folder: Path, rows: int) -> None:
    """The bank's credentials, and an approved round opened and instructed."""
    key = {"key_id": KEY_ID, "bank_code": BANK, "jurisdiction_code": COUNTY, "secret": SECRET}
    path = folder / "bank-keys.json"
    path.touch(mode=0o600)
    path.write_bytes(orjson.dumps({"format": 1, "keys": [key]}))
    settings = settings_for(folder)
    store = await open_store(settings)
    projections = await ProjectionDatabase.open(settings.projection_url("payout"))
    parts = build(ServiceDeps(settings, store, make_codec(settings), projections, SystemClock()))
    events = approved_round(roster_id="bench", rows=rows, banks=(BANK,))
    await deliver(parts.consumers[0], projections, events, at=datetime.now(UTC))
    await projections.close()
    await store.close()


def environment(folder: Path, port: int, trace_ratio: float) -> dict[str, str]:
    """``onecard serve payout`` on the seeded files, listening on ``port``."""
    settings = settings_for(folder)
    env = {
        **os.environ,
        "ONECARD_DATA_DIR": str(folder),
        "ONECARD_EVENT_STORE_URL": settings.event_store_url,
        "ONECARD_PROJECTION_DB_URL": settings.projection_db_url,
        "ONECARD_KEY_FILE": str(settings.key_file),
        "ONECARD_BANK_KEYS_FILE": str(settings.bank_keys_file),
        "ONECARD_LOG_LEVEL": "WARNING",
        "ONECARD_HTTP_BASE_PORT": str(port - 1 - SERVICES.index("payout")),
    }
    if trace_ratio < 1.0:
        env["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio"
        env["OTEL_TRACES_SAMPLER_ARG"] = str(trace_ratio)
    return env


async def request(client: httpx.AsyncClient, method: str, path: str, body: bytes = b"") -> Any:
    headers = signed_headers(
        key_id=KEY_ID,
        secret=SECRET,
        method=method,
        path_and_query=path,
        body=body,
        at=datetime.now(UTC),
    )
    headers["Content-Type"] = "application/json"
    answer = await client.request(method, path, content=body, headers=headers)
    if answer.status_code != 200:
        raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
    return orjson.loads(answer.content)


def results_of(instructions: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    results = []
    for i in instructions:
        one = {"instruction_id": i["instruction_id"], "amount_fen": i["amount_fen"]}
        if rng.random() < 0.03:
            one.update(status="failed", reason_code=rng.choice(FAILURES))
        else:
            reference = f"R{i['row_no']:09d}"
            one.update(status="succeeded", bank_reference=reference, value_date="2025-10-10")
        results.append(one)
    return results


async def push(
    client: httpx.AsyncClient,
    results: list[dict[str, Any]],
    args: argparse.Namespace,
    server: psutil.Process,
) -> dict[str, Any]:
    chunks = [results[n : n + args.batch] for n in range(0, len(results), args.batch)]
    latencies: list[float] = []
    dispositions: dict[str, int] = {}
    gate = asyncio.Semaphore(args.in_flight)

    async def one(chunk: list[dict[str, Any]]) -> None:
        body = orjson.dumps({"results": chunk})
        async with gate:
            began = time.perf_counter()
            answer = await request(client, "POST", "/bank/results", body)
            latencies.append(time.perf_counter() - began)
        for kind, n in answer["summary"].items():
            dispositions[kind] = dispositions.get(kind, 0) + n

    cpu_before = cpu_seconds(server)
    started = time.perf_counter()
    await asyncio.gather(*(one(chunk) for chunk in chunks))
    seconds = time.perf_counter() - started
    return {
        "results": len(results),
        "requests": len(chunks),
        "seconds": seconds,
        "results_per_s": len(results) / seconds,
        "server_cpu_us": (cpu_seconds(server) - cpu_before) / len(results) * 1e6,
        "p50_ms": statistics.median(latencies) * 1000,
        "max_ms": max(latencies) * 1000,
        "answered": ", ".join(f"{k} {v}" for k, v in sorted(dispositions.items())),
    }


def cpu_seconds(process: psutil.Process) -> float:
    """CPU time (user + system) of the server process and its children (the local broker)."""
    times = [each.cpu_times() for each in (process, *process.children(recursive=True))]
    return float(sum(t.user + t.system for t in times))


async def measure(
    args: argparse.Namespace, port: int, server: psutil.Process
) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        await wait_until_up(client, server)
        began = time.perf_counter()
        fetched = await request(client, "GET", "/bank/batches")
        fetch_s = time.perf_counter() - began
        instructions = [i for b in fetched["batches"] for i in b["instructions"]]
        results = results_of(instructions, args.seed)
        first = await push(client, results, args, server)
        again = await push(client, results, args, server)
    fetched_row: dict[str, Any] = {"case": "GET /bank/batches (all pending)"}
    fetched_row["results"] = len(instructions)
    fetched_row.update(requests=1, seconds=fetch_s, results_per_s=len(instructions) / fetch_s)
    return [
        fetched_row,
        {"case": f"POST /bank/results, batches of {args.batch}", **first},
        {"case": "the same results again (duplicates)", **again},
    ]


async def wait_until_up(client: httpx.AsyncClient, server: psutil.Process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not server.is_running() or server.status() == psutil.STATUS_ZOMBIE:
            raise RuntimeError("the payout service exited (see serve.log)")
        try:
            if (await client.get("/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the payout service did not come up within 60 s")


def run(args: argparse.Namespace, folder: Path) -> None:
    started = time.perf_counter()
    asyncio.run(seed(folder, args.rows))
    seeded = time.perf_counter() - started
    port = free_port()
    command = [sys.executable, "-m", "infra.cli", "serve", "payout"]
    with (folder / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            command,
            env=environment(folder, port, args.trace_ratio),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            rows = asyncio.run(measure(args, port, psutil.Process(server.pid)))
        except RuntimeError:
            print((folder / "serve.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
    context = {"rows": args.rows, "batch": args.batch, "in_flight": args.in_flight}
    context.update(trace_ratio=args.trace_ratio, store="sqlite", seed_s=seeded)
    emit("bank-results", rows, context)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--in-flight", type=int, default=2)
    parser.add_argument("--trace-ratio", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not 1 <= args.rows <= 10_000:
        parser.error("--rows must be 1 to 10,000 (one GET /bank/batches)")
    configure_logging(service="bench", level="WARNING")
    with tempfile.TemporaryDirectory(prefix="onecard-bank-bench-") as folder:
        run(args, Path(folder))


if __name__ == "__main__":
    main()
