"""Group reads: many concurrent reads share one trip to the reader thread.

The SQLite adapter reads on one thread of its own. Handing it each read separately costs a
thread hop per read (a queue, a wake-up, a callback into the loop), which for small reads —
a payment row's stream of one to three events — costs more than the read itself. Like the
group commit (:mod:`infra.eventstore.committer`), a :class:`GroupReader` takes every read
waiting when the reader is free and runs them in one trip; each caller still gets its own
answer or its own error. A read runs after it was asked for, so it sees every append that had
returned by then.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Q = TypeVar("Q")
R = TypeVar("R")

ReadBatch = Callable[[Sequence[Q]], Awaitable[list[R | Exception]]]


class GroupReader(Generic[Q, R]):
    """Queues reads and runs those waiting together, one batch at a time."""

    def __init__(self, read_batch: ReadBatch[Q, R]) -> None:
        self._read_batch = read_batch
        self._waiting: list[tuple[Q, asyncio.Future[R]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def read(self, query: Q) -> R:
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((query, answer))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="eventstore-group-read")
        return await answer

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        for _, answer in self._waiting:
            answer.cancel()
        self._waiting = []

    async def _run(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                outcomes = await self._read_batch([query for query, _ in batch])
            except asyncio.CancelledError:
                for _, answer in batch:
                    answer.cancel()
                raise
            except Exception as error:  # the trip itself failed: every caller hears it
                outcomes = [error] * len(batch)
            for (_, answer), outcome in zip(batch, outcomes, strict=True):
                if answer.done():
                    continue
                if isinstance(outcome, Exception):
                    answer.set_exception(outcome)
                else:
                    answer.set_result(outcome)
