"""The notify service over one round: its consumers taking the register and the payments in,
then the dispatcher sending every SMS through the file provider.

    python -m bench.notify [--rows 10000] [--repeat 2]

Setup (not timed): ``--rows`` beneficiaries with phones and one ``PaymentSucceeded`` each,
appended to a SQLite event store as the registry and the payout would. Timed: the phone
directory consumer and the payments consumer applying them as bus messages in batches of 500
(inbox claim, outbox insert, one transaction each); the dispatcher's ticks until every SMS is
sent (per SMS: its stream read, the phone opened, the spool line written, the outcome appended,
the outbox row finished); then one more tick with nothing due. Every SMS exactly once is
checked, not assumed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import structlog

from bench.report import emit
from contracts.base import Event
from contracts.envelope import Actor, new_envelope, new_event_id
from contracts.events import EVENTS, BeneficiaryRegistered, PaymentSucceeded
from infra.bus.consumed import ConsumedMessage
from infra.bus.consumer import IdempotentConsumer
from infra.bus.dead_letter import DeadLetterSink
from infra.bus.messages import to_message
from infra.bus.publisher import MemoryPublisher
from infra.clock import AdjustableClock
from infra.eventcodec import EventCodec
from infra.eventstore.port import NO_STREAM
from infra.eventstore.sqlite import SqliteEventStore
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from infra.wiring import make_cipher
from services.notify.bootstrap import build

AT = datetime(2025, 10, 9, 2, tzinfo=UTC)
CLERK = Actor(user_id="u-bench", role="township_operator", jurisdiction_code="650102001")
BATCH = 500


def events(rows: int) -> list[tuple[str, Event]]:
    person: list[tuple[str, Event]] = [
        (
            f"beneficiary-b-{n}",
            BeneficiaryRegistered(
                beneficiary_id=f"b-{n}",
                citizen_id="65010219800101123X",
                name="阿依古丽",
                village_code="650102001001",
                household_id=f"h-{n}",
                phone=f"139{n:08d}",
            ),
        )
        for n in range(1, rows + 1)
    ]
    paid: list[tuple[str, Event]] = [
        (
            f"payment-r-1-{n}",
            PaymentSucceeded(
                instruction_id=f"r-1:{n}:1",
                roster_id="r-1",
                row_no=n,
                attempt=1,
                beneficiary_id=f"b-{n}",
                township_code="650102001",
                programme_code="GDLS",
                programme_name="耕地地力保护补贴",
                bank_code="ABC",
                amount_fen=61_725 + n,
                bank_reference=f"B{n:012d}",
                value_date=date(2025, 10, 9),
            ),
        )
        for n in range(1, rows + 1)
    ]
    return person + paid


async def one_round(rows: int, folder: Path) -> dict[str, Any]:
    settings = Settings(data_dir=folder, notify_spool_dir=folder / "spool")
    store = await SqliteEventStore.open(folder / "events.db")
    codec = EventCodec(registry=EVENTS, cipher=make_cipher(settings))
    projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{folder}/notify.db")
    for stream_id, event in events(rows):
        envelope = new_envelope(
            event,
            event_id=new_event_id(AT),
            stream_id=stream_id,
            occurred_at=AT,
            actor=CLERK,
            correlation_id=uuid.uuid4(),
        )
        await store.append(stream_id, [codec.encode(envelope)], expected_version=NO_STREAM)
    parts = build(ServiceDeps(settings, store, codec, projections, AdjustableClock(start=AT)))
    records = await store.read_all(limit=3 * rows)
    messages = [m for record in records if (m := to_message(record))]
    sink = DeadLetterSink(publisher=MemoryPublisher(), store=store)
    started = time.perf_counter()
    for spec in parts.consumers:
        consumer = IdempotentConsumer(
            spec=spec, database=projections, codec=codec, dead_letters=sink
        )
        await consumer.create_tables()
        mine = [m for m in messages if m.topic in spec.topics]
        for start in range(0, len(mine), BATCH):
            await consumer.handle_batch(
                [
                    ConsumedMessage(m.topic, 0, start + i, m.key, m.value, m.headers)
                    for i, m in enumerate(mine[start : start + BATCH])
                ]
            )
    consumed = time.perf_counter()
    ticks = 0
    while len(_spooled(folder)) < rows and ticks < 100:
        await parts.tickers[0].run()
        ticks += 1
    sent = time.perf_counter()
    await parts.tickers[0].run()
    idle = time.perf_counter()
    lines = _spooled(folder)
    assert len(lines) == len(set(lines)) == rows, "every SMS exactly once"
    await projections.close()
    await store.close()
    return {
        "rows": rows,
        "consume_s": consumed - started,
        "consume_per_s": 2 * rows / (consumed - started),
        "dispatch_s": sent - consumed,
        "sms_per_s": rows / (sent - consumed),
        "ticks": ticks,
        "idle_tick_ms": (idle - sent) * 1000,
    }


def _spooled(folder: Path) -> list[str]:
    """The notification ids of every spooled SMS."""
    return [
        orjson.loads(line)["id"]
        for path in (folder / "spool").glob("*.jsonl")
        for line in path.read_bytes().splitlines()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    results = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            results.append(asyncio.run(one_round(args.rows, Path(folder))))
    emit("notify-round", results, {"rows": args.rows, "store": "sqlite", "provider": "file"})


if __name__ == "__main__":
    main()
