"""The three measurements of bench.bus: latency at an offered rate, the first event after an
idle spell, and sustained throughput (relay alone, consumer alone, end to end)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.bus_probe import Probe, stage_rows, summary
from bench.bus_rig import Knobs, Rig
from bench.sample_events import SampleEvents
from infra.eventstore.port import NO_STREAM, EventStore

LATENCY_TARGET = "p50 ≤ 20 ms, p99 ≤ 100 ms"
THROUGHPUT_TARGET = "≥ 10,000 events/s"


async def append_one(store: EventStore, sample: SampleEvents, probe: Probe) -> tuple[str, float]:
    batch = sample.batch(1)
    event_id = str(batch[0].event_id)
    began = time.perf_counter()
    await store.append(f"beneficiary-{event_id}", batch, expected_version=NO_STREAM)
    probe.mark("appended", [event_id])
    return event_id, (time.perf_counter() - began) * 1000


async def offered_load(
    store: EventStore, sample: SampleEvents, probe: Probe, *, rate: float, seconds: float
) -> tuple[list[str], list[float], float]:
    """Start one single-event append every 1/rate s by the clock (open loop: a slow append
    delays none of the next); return the event ids, append latencies and achieved rate."""
    tasks = []
    started = time.perf_counter()
    for n in range(int(rate * seconds)):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(append_one(store, sample, probe)))
    done = await asyncio.gather(*tasks)
    elapsed = probe.span("appended")[1] - started
    return [event_id for event_id, _ in done], sorted(ms for _, ms in done), len(done) / elapsed


async def until_count(probe: Probe, stage: str, count: int, *, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while probe.count(stage) < count:  # noqa: ASYNC110 - the probe's own stamps are used
            await asyncio.sleep(0.02)


async def latency(
    knobs: Knobs, sample: SampleEvents, *, rate: float, seconds: float, idle: float, repeats: int
) -> list[dict[str, Any]]:
    probe, batches = Probe(), []
    async with Rig(knobs, sample) as rig:
        store, where = await rig.new_store()
        broker = rig.broker()
        publisher = await rig.publisher(broker, probe)
        await rig.joined_consumer(broker, publisher, probe, batches)
        await rig.relay(await rig.relay_view(store, where), publisher, probe, "relay-latency")
        await asyncio.sleep(1.0)
        batches.clear()
        ids, append_ms, achieved = await offered_load(
            store, sample, probe, rate=rate, seconds=seconds
        )
        for event_id in ids:
            await probe.committed(event_id, timeout=60)
        rows = [
            {
                "case": f"latency @ {rate:,.0f}/s offered, append return → consumer commit",
                "events": len(ids),
                "events_per_s": achieved,
                **summary(probe.latencies_ms(ids, "appended", "committed")),
                "target": LATENCY_TARGET,
            },
            {"case": "  append call → return (writer side)", **summary(append_ms)},
            *stage_rows(probe, ids, "  hop"),
            {
                "case": "  consumer batches (mean size)",
                "events": len(batches),
                "events_per_s": sum(batches) / max(len(batches), 1),
            },
        ]
        for n in range(repeats):
            await asyncio.sleep(idle)
            event_id, _ = await append_one(store, sample, probe)
            await probe.committed(event_id, timeout=60)
            hops = {
                r["case"].split(": ")[1]: round(r.get("p50_ms", 0.0), 1)
                for r in stage_rows(probe, [event_id], "")
            }
            rows.append(
                {
                    "case": f"first event after {idle:.0f} s idle (#{n + 1})",
                    "events": 1,
                    **summary(probe.latencies_ms([event_id], "appended", "committed")),
                    "target": LATENCY_TARGET,
                    "hops_ms": " ".join(f"{v}" for v in hops.values()),
                }
            )
        rows.append({"case": "dead letters (must be 0)", "events": len(rig.dead_letters.sent)})
    return rows


async def preload(store: EventStore, sample: SampleEvents, total: int) -> float:
    """``total`` registrations, one stream each, appended 1,000 at a time concurrently."""
    probe = Probe()
    started = time.perf_counter()
    for start in range(0, total, 1_000):
        chunk = range(start, min(total, start + 1_000))
        await asyncio.gather(*(append_one(store, sample, probe) for _ in chunk))
    return total / (time.perf_counter() - started)


async def sustained(knobs: Knobs, sample: SampleEvents, *, total: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    async with Rig(knobs, sample) as outer:
        store, where = await outer.new_store()
        load_rate = await preload(store, sample, total)
        rows.append({"case": "preload store (setup)", "events": total, "events_per_s": load_rate})
        dead = 0
        async with Rig(knobs, sample) as rig:
            rows += await relay_then_consumer(rig, store, where, total)
            dead += len(rig.dead_letters.sent)
        async with Rig(knobs, sample) as rig:
            rows += await end_to_end(rig, store, where, total)
            dead += len(rig.dead_letters.sent)
    rows.append({"case": "dead letters (must be 0)", "events": dead})
    return rows


async def relay_then_consumer(
    rig: Rig, store: EventStore, where: str, total: int
) -> list[dict[str, Any]]:
    """The relay alone onto an empty broker; then a fresh group consumes the full topic."""
    probe, batches = Probe(), []
    broker = rig.broker()
    publisher = await rig.publisher(broker, probe)
    started = time.perf_counter()
    await rig.relay(await rig.relay_view(store, where), publisher, probe, "relay-only")
    await until_count(probe, "acked", total, timeout=600)
    relay_s = probe.span("acked")[1] - started
    joining = time.perf_counter()
    await rig.consumer(broker, probe, batches)
    await until_count(probe, "committed", total, timeout=600)
    first_in, last_commit = probe.span("received")[0], probe.span("committed")[1]
    pages = publisher.pages
    return [
        {
            "case": "sustained: relay only (read → Kafka ack)",
            "events": total,
            "events_per_s": total / relay_s,
            "mean_batch": sum(pages) / len(pages),
        },
        {
            "case": "sustained: Faust agent only (first received → last commit)",
            "events": total,
            "events_per_s": total / (last_commit - first_in),
            "mean_batch": sum(batches) / len(batches),
            "target": THROUGHPUT_TARGET,
            "join_s": first_in - joining,
        },
    ]


async def end_to_end(rig: Rig, store: EventStore, where: str, total: int) -> list[dict[str, Any]]:
    """Consumer joined first, then the relay starts on the backlog: first read → last commit."""
    probe, batches = Probe(), []
    broker = rig.broker()
    publisher = await rig.publisher(broker, probe)
    await rig.joined_consumer(broker, publisher, probe, batches)
    batches.clear()
    started = time.perf_counter()
    await rig.relay(await rig.relay_view(store, where), publisher, probe, "relay-e2e")
    await until_count(probe, "committed", total + 1, timeout=600)
    seconds = probe.span("committed")[1] - started
    acked_s = probe.span("acked")[1] - started
    return [
        {
            "case": "sustained: end to end (relay start → last commit)",
            "events": total,
            "events_per_s": total / seconds,
            "mean_batch": sum(batches) / len(batches),
            "target": THROUGHPUT_TARGET,
            "relay_done_s": acked_s,
            "total_s": seconds,
        }
    ]
