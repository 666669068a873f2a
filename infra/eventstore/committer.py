"""Group commit: many concurrent appends share one transaction.

Every SQL adapter serialises appends on a single log-head row (that is what keeps global
positions gap-free and in commit order, see docs/adr/001-global-positions.md). One transaction
per append would cap a store at one fsync per event; instead each adapter instance runs one
writer task that takes every append waiting in its queue, decides them together with
:func:`~infra.eventstore.planning.plan_batch`, and commits them in one transaction. Each caller
still gets its own answer, conflicts included.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from infra.eventstore.planning import AppendRequest, Outcome, check_request
from infra.eventstore.port import AppendResult, EventStoreError

CommitBatch = Callable[[Sequence[AppendRequest]], Awaitable[list[Outcome]]]


@dataclass(slots=True)
class _Waiting:
    request: AppendRequest
    answer: asyncio.Future[AppendResult]


class GroupCommitter:
    """Queues appends and commits them in batches of at most ``max_events`` events."""

    def __init__(self, commit_batch: CommitBatch, *, max_events: int = 20_000) -> None:
        self._commit_batch = commit_batch
        self._max_events = max_events
        self._queue: asyncio.Queue[_Waiting] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    async def append(self, request: AppendRequest) -> AppendResult:
        check_request(request)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="eventstore-group-commit")
        waiting = _Waiting(request, asyncio.get_running_loop().create_future())
        self._queue.put_nowait(waiting)
        return await waiting.answer

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        while not self._queue.empty():
            self._queue.get_nowait().answer.cancel()

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            size = len(batch[0].request.events)
            while not self._queue.empty() and size < self._max_events:
                waiting = self._queue.get_nowait()
                batch.append(waiting)
                size += len(waiting.request.events)
            await self._commit(batch)

    async def _commit(self, batch: list[_Waiting]) -> None:
        try:
            outcomes = await self._commit_batch([waiting.request for waiting in batch])
        except asyncio.CancelledError:
            for waiting in batch:
                waiting.answer.cancel()
            raise
        except Exception as error:  # each caller must get the failure
            if len(batch) > 1:
                for waiting in batch:  # isolate the request that broke the batch
                    await self._commit([waiting])
                return
            _answer(batch[0], error)
            return
        for waiting, outcome in zip(batch, outcomes, strict=True):
            _answer(waiting, outcome)


def _answer(waiting: _Waiting, outcome: Outcome | Exception) -> None:
    if waiting.answer.done():
        return
    if isinstance(outcome, (EventStoreError, Exception)):
        waiting.answer.set_exception(outcome)
    else:
        waiting.answer.set_result(outcome)
