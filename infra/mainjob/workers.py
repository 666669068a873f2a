"""Doing many requests at once, boundedly, and waiting for what happens elsewhere."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
IN_FLIGHT = 32


async def each(
    items: Iterable[T], work: Callable[[T], Awaitable[R]], *, in_flight: int = IN_FLIGHT
) -> list[R]:
    """``work`` on every item, at most ``in_flight`` at a time; the results in item order.
    The first failure stops the others and is raised."""
    queue = list(enumerate(items))
    results: dict[int, R] = {}
    position = 0

    async def worker() -> None:
        nonlocal position
        while position < len(queue):
            index, item = queue[position]
            position += 1
            results[index] = await work(item)

    async with asyncio.TaskGroup() as group:
        for _ in range(min(in_flight, len(queue))):
            group.create_task(worker())
    return [results[index] for index in range(len(queue))]


class RoundFailed(Exception):
    """The round cannot go on; the message says why (and where to look)."""


class Timeout(RoundFailed):
    """What the main job waited for did not happen in time; the message says what."""


async def until(
    check: Callable[[], Awaitable[R | None]], *, what: str, timeout: float, every: float = 0.5
) -> R:
    """The first true answer of ``check``, asked every ``every`` seconds; :class:`Timeout`
    naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        answer = await check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise Timeout(f"waited {timeout:.0f} s for {what}")
        await asyncio.sleep(every)
