"""Relay → Kafka → Faust agent on the local broker: latency at an offered rate, the first
event after an idle spell, and sustained throughput.

    .venv/bin/python -m bench.bus [--store sqlite|postgresql] [--rate 1000] [--seconds 10]
        [--sustained 100000] [--idle 60] [--repeats 3] [--skip latency|sustained] [--tag NAME]
        [--layout both|processes|in-process] [--trace-ratio 0.01]
        in-process only: [--within 0] [--max-batch 500] [--page-size 1000] [--linger-ms 0]
        [--relay-store separate|shared] [--wake on|off] [--poll 0.01] [--fetch-max-wait-ms N]

Two tables. **The acceptance figures are the deployed layout's** (bench.bus_processes), as
``onecard up`` runs the system: the relay and ``serve publicity`` as processes of their own on
a shared store (SQLite file or PostgreSQL schemas) and the local broker, this process only
appending; latency ends when the event is visible in the projection to another reader.

The second table (``--layout in-process``) runs everything in this process, on one event
loop: a writer appending single BeneficiaryRegistered events, ``Relay.run`` as a task (by
default on its own store instance, as the relay process has), and a Faust app whose agent feeds
the publicity village-register projection through the IdempotentConsumer. Latency is from the
append's return to the commit of the projection transaction (bench.bus_probe has every hop).
The defaults are production's; the flags exist to show which knob moves what.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from bench import bus_processes
from bench.bus_phases import latency, sustained
from bench.bus_rig import Knobs
from bench.report import emit
from bench.sample_events import SampleEvents
from infra.logging import configure_logging


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rate", type=float, default=1_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--sustained", type=int, default=100_000)
    parser.add_argument("--idle", type=float, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--within", type=float, default=0.0, help="agent: a lone event waits this for company"
    )
    parser.add_argument("--max-batch", type=int, default=500, help="agent: largest batch")
    parser.add_argument("--page-size", type=int, default=1_000, help="relay page size")
    parser.add_argument("--linger-ms", type=int, default=0, help="relay producer linger")
    parser.add_argument("--relay-store", choices=["separate", "shared"], default="separate")
    parser.add_argument(
        "--wake", choices=["on", "off"], default="on", help="SQLite wake-ups for the relay"
    )
    parser.add_argument("--poll", type=float, default=0.01, help="SQLite poll without wake-ups")
    parser.add_argument(
        "--fetch-max-wait-ms", type=int, help="Faust consumer's fetch wait (default: infra's 20)"
    )
    parser.add_argument("--skip", choices=["latency", "sustained"])
    parser.add_argument("--tag", default="", help="suffix of the results file name")
    parser.add_argument("--layout", choices=["both", "processes", "in-process"], default="both")
    parser.add_argument(
        "--trace-ratio",
        type=float,
        default=bus_processes.TRACE_RATIO,
        help="processes: share of traces sampled (1: every one, as OTel's default)",
    )
    return parser.parse_args()


async def main() -> None:
    args = arguments()
    configure_logging(service="bench", level="WARNING")
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    bus_processes.TRACE_RATIO = args.trace_ratio
    if args.layout != "in-process":
        print("\n## Acceptance: the deployed layout (relay and service in processes of their own)")
        await deployed(args)
    if args.layout != "processes":
        print("\n## Secondary: everything in one process and one event loop")
        await in_process(args)


async def in_process(args: argparse.Namespace) -> None:
    """Writer, relay task and Faust agent in this process (bench.bus_phases)."""
    knobs = Knobs(
        store=args.store,
        max_batch=args.max_batch,
        within=args.within,
        page_size=args.page_size,
        linger_ms=args.linger_ms,
        relay_store=args.relay_store,
        poll_interval=args.poll,
        fetch_max_wait_ms=args.fetch_max_wait_ms,
        wake_ups=args.wake == "on",
    )
    pool = int(args.rate * args.seconds) + max(args.sustained, 0) + args.repeats + 10
    keys = tempfile.TemporaryDirectory()
    sample = SampleEvents(Path(keys.name) / "keys.json", pool=pool)
    rows: list[dict[str, Any]] = []
    if args.skip != "latency":
        rows += await latency(
            knobs,
            sample,
            rate=args.rate,
            seconds=args.seconds,
            idle=args.idle,
            repeats=args.repeats,
        )
    if args.skip != "sustained" and args.sustained > 0:
        rows += await sustained(knobs, sample, total=args.sustained)
    context = {**knobs.context(), "rate": args.rate, "seconds": args.seconds, "idle_s": args.idle}
    keys.cleanup()
    emit(f"bus-{args.store}{'-' + args.tag if args.tag else ''}", rows, context)


async def deployed(args: argparse.Namespace) -> None:
    """The relay and the publicity service as separate processes (bench.bus_processes)."""
    pool = int(args.rate * args.seconds) + max(args.sustained, 0) + args.repeats + 10
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as keys:
        key_file = Path(keys) / "keys.json"
        sample = SampleEvents(key_file, pool=pool)
        poll = 0.05
        if args.skip != "latency":
            rows += await bus_processes.latency(
                sample,
                key_file,
                args.store,
                rate=args.rate,
                seconds=args.seconds,
                idle=args.idle,
                repeats=args.repeats,
                poll=poll,
            )
        if args.skip != "sustained" and args.sustained > 0:
            rows += await bus_processes.sustained(
                sample, key_file, args.store, total=args.sustained, poll=poll
            )
    context = {
        **bus_processes.context(args.store, poll),
        "rate": args.rate,
        "seconds": args.seconds,
        "idle_s": args.idle,
    }
    tag = f"-{args.tag}" if args.tag else ""
    emit(f"bus-processes-{args.store}{tag}", rows, context)


if __name__ == "__main__":
    asyncio.run(main())
