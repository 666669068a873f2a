"""The lookup's answers take the same time whether or not the ID and name belong to someone:
the time to the answer's first byte, sampled many times with the cases interleaved (so that
the machine's drift falls on all of them alike), differs between cases by far less than the
work a skipped step would save. A rough check, not a benchmark: it compares lower quartiles
with a wide margin, so a noisy machine does not make it flaky. The SMS is sent after the
answer has started, so the time to the first byte does not include it."""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.unit.disclosure_harness import DisclosureWorld, disclosure_world
from tests.unit.notice_harness import WANG, ZHANG, Person, china, with_check_digit

NOBODY = Person("李四", with_check_digit("65010219900202003"), "6217000099998888777")
WARMUP, ROUNDS = 5, 40
MARGIN = 0.5
"""How far apart the cases may lie. Skipping the work for nobody (the store's read and
append, the database's count) would halve the time; on this shared machine (load often
above its two cores) the cases' lower quartiles were seen within 17 % of each other."""


async def timed(app: Any, path: str, body: dict[str, str], client: str) -> tuple[float, bytes]:
    """Seconds until the response starts, and its body; background work is not counted."""
    payload = json.dumps(body).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json")],
        "client": (client, 50000),
        "server": ("publicity", 80),
    }
    started, first_byte, chunks = time.perf_counter(), 0.0, []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal first_byte
        if message["type"] == "http.response.start" and not first_byte:
            first_byte = time.perf_counter()
        chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return first_byte - started, b"".join(chunks)


Case = Callable[[DisclosureWorld, int], Awaitable[tuple[float, bytes]]]


async def sample(world: DisclosureWorld, cases: dict[str, Case]) -> dict[str, list[float]]:
    """Each case once per round, in a random order; a day passes between rounds (the limits
    of a day are not what is measured)."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    order = list(cases)
    for n in range(WARMUP + ROUNDS):
        random.shuffle(order)
        for name in order:
            seconds, _ = await cases[name](world, n)
            if n >= WARMUP:
                times[name].append(seconds)
        world.clock.advance(timedelta(days=1, seconds=1))
    return times


def assert_alike(times: dict[str, list[float]]) -> None:
    """The cases' lower quartiles (what a case costs when the machine lets it run; load
    spikes only lengthen the upper tail) lie within ``MARGIN`` of each other."""
    quartiles = {name: statistics.quantiles(values, n=4)[0] for name, values in times.items()}
    low, high = min(quartiles.values()), max(quartiles.values())
    assert high <= low * (1 + MARGIN), f"lower quartiles differ: {quartiles}"


def asking(person: Person, name: str | None = None) -> Case:
    async def case(world: DisclosureWorld, n: int) -> tuple[float, bytes]:
        body = {"citizen_id": person.citizen_id, "name": name or person.name}
        return await timed(world.parts.http, "/lookup/code", body, f"198.51.100.{n % 200}")

    return case


def verifying(person: Person, name: str | None = None) -> Case:
    async def case(world: DisclosureWorld, n: int) -> tuple[float, bytes]:
        body = {"citizen_id": person.citizen_id, "name": name or person.name}
        _, asked = await timed(world.parts.http, "/lookup/code", body, "192.0.2.1")
        challenge = json.loads(asked)["challenge"]
        check = {"challenge": challenge, "code": "000000"}
        return await timed(world.parts.http, "/lookup/verify", check, f"198.51.100.{n % 200}")

    return case


async def test_asking_for_a_code_takes_as_long_for_nobody_as_for_the_owner(tmp_path: Path) -> None:
    async with disclosure_world(tmp_path, now=china(2025, 7, 2)) as world:
        await world.register(1, ZHANG)
        await world.register(2, WANG, phone="13600001111")
        await world.deliver()
        times = await sample(
            world,
            {
                "owner": asking(ZHANG),
                "wrong name": asking(WANG, "王六"),
                "nobody": asking(NOBODY),
            },
        )
        assert len(world.sms()) == WARMUP + ROUNDS
    assert_alike(times)


async def test_a_wrong_code_takes_as_long_for_nobody_as_for_the_owner(tmp_path: Path) -> None:
    async with disclosure_world(tmp_path, now=china(2025, 7, 2)) as world:
        await world.register(1, ZHANG)
        await world.register(2, WANG, phone="13600001111")
        await world.deliver()
        times = await sample(
            world,
            {
                "owner": verifying(ZHANG),
                "wrong name": verifying(WANG, "王六"),
                "nobody": verifying(NOBODY),
            },
        )
    assert_alike(times)
