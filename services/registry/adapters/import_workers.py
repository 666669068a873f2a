"""Import workers: processes that judge the chunks of a large roster file, so that an import
uses more than one core (docs/adr/007-roster-imports.md).

The importer reads the file and sends each chunk of lines to the least busy worker; a worker
fetches the chunk's people from the register on its own read-only connection, judges each
row's own rules and encodes each row's JSON (``application.judge_rows``), and sends the
chunk back. Chunks come back in the order they were sent, a few in flight per worker; the
rules across rows and the events stay with the importer. A worker that fails or dies fails
the import, which then stores nothing.

Workers are separate interpreters (``python -m services.registry.entrypoints.import_worker``)
talking over pipes, started for one import and stopped at its end; they read the register
from the projection database's SQLite file, so they serve SQLite projections only.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, Final

from infra.pii import FieldCipher, LocalKeyFile
from infra.pii.keys import CipherName
from infra.projections.database import ProjectionDatabase
from services.registry.adapters.worker_frames import (
    LENGTH,
    STOP,
    CipherRecipe,
    WorkerSetup,
    frame,
    loads,
)
from services.registry.application.judge_rows import ChunkJudges, JudgedChunk, JudgingTerms
from services.registry.domain.roster_rows import RosterLine
from services.registry.domain.validation_judge import JudgedRow
from services.registry.domain.validation_rows import new_tuple

WORKER_MODULE: Final = "services.registry.entrypoints.import_worker"
_MB: Final = 1024 * 1024
_READ_LIMIT: Final = 16 * _MB
_MAX_WORKERS: Final = 4


class ImportWorkerFailed(RuntimeError):
    """A worker failed or died; the import it served stores nothing."""


def local_key_file(path: Path, algorithm: CipherName = "aes-256-gcm") -> CipherRecipe:
    """The recipe of a cipher over a local key file (``infra.pii.LocalKeyFile``)."""
    return partial(_cipher_from_key_file, str(path), algorithm)


def _cipher_from_key_file(path: str, algorithm: CipherName) -> FieldCipher:
    return FieldCipher(keys=LocalKeyFile(Path(path), algorithm=algorithm), algorithm=algorithm)


def workers_for(
    projections: ProjectionDatabase, *, key_file: Path, algorithm: CipherName
) -> ImportWorkers | None:
    """Workers for imports validated against this projection database, with the cipher of
    ``infra.wiring.make_cipher`` (a local key file), one per core this process may run on.
    None on a single core (workers would only add their cost) and for PostgreSQL
    projections: those imports run in the importer's process."""
    database = projections.engine.url.database
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if projections.dialect != "sqlite" or not database or (cores or 1) < 2:
        return None
    count = min(_MAX_WORKERS, cores or 1)
    return ImportWorkers(
        count=count, register_db=Path(database), cipher=local_key_file(key_file, algorithm)
    )


class ImportWorkers:
    """``count`` workers for each import of a file of ``min_bytes`` or more, reading the
    register from ``register_db`` and sealing with the cipher ``cipher`` makes.

    ``peak_rss_bytes`` and ``cpu_s`` are the workers' own figures, from the last import
    that used them (a benchmark adds them to the importer's)."""

    def __init__(
        self,
        *,
        count: int,
        register_db: Path,
        cipher: CipherRecipe,
        min_bytes: int = 8 * _MB,
        in_flight: int = 4,
    ) -> None:
        self.count = count
        self._register_db = register_db
        self._cipher = cipher
        self._min_bytes = min_bytes
        self._in_flight = in_flight
        self.peak_rss_bytes: list[int] = []
        self.cpu_s: list[float] = []

    def worth_it(self, size: int) -> bool:
        return self.count > 0 and size >= self._min_bytes

    @asynccontextmanager
    async def judging(self, terms: JudgingTerms) -> AsyncIterator[ChunkJudges]:
        setup = WorkerSetup(terms.portable(), self._register_db, self._cipher)
        workers: list[_Worker] = []
        try:
            for _ in range(self.count):
                workers.append(await _Worker.start(setup))
            yield _Dispatch(workers, self._in_flight)
        except BaseException:
            await asyncio.gather(*(w.stop(kill=True) for w in workers), return_exceptions=True)
            raise
        await asyncio.gather(*(worker.stop() for worker in workers))
        self.peak_rss_bytes = [worker.peak_rss for worker in workers]
        self.cpu_s = [worker.cpu_s for worker in workers]


class _Dispatch:
    def __init__(self, workers: Sequence[_Worker], in_flight: int) -> None:
        self._workers = workers
        self._limit = in_flight * len(workers)

    async def judged(
        self, chunks: Iterator[list[RosterLine]], first_row_no: int
    ) -> AsyncGenerator[JudgedChunk, None]:
        pending: deque[tuple[list[RosterLine], asyncio.Future[Any]]] = deque()
        row_no = first_row_no
        for lines in chunks:
            worker = min(self._workers, key=_Worker.busy)
            raw = list(map(tuple, lines))  # a named tuple pickles four times slower
            pending.append((lines, await worker.send((row_no, raw))))
            row_no += len(lines)
            while len(pending) >= self._limit:
                yield await _judged(*pending.popleft())
        while pending:
            yield await _judged(*pending.popleft())


async def _judged(lines: list[RosterLine], reply: asyncio.Future[Any]) -> JudgedChunk:
    judged, heads = await reply
    # sent as plain tuples of its fields: a named tuple pickles four times slower
    return lines, [new_tuple(JudgedRow, row) for row in judged], heads


class _Worker:
    """One worker process; replies come in the order of the requests."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._replies: deque[asyncio.Future[Any]] = deque()
        self._failure: ImportWorkerFailed | None = None
        self._done: asyncio.Future[tuple[int, float]] = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())
        self.peak_rss = 0
        self.cpu_s = 0.0

    @classmethod
    async def start(cls, setup: WorkerSetup) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            WORKER_MODULE,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=_READ_LIMIT,
        )
        worker = cls(process)
        await worker._write(frame(setup))
        return worker

    def busy(self) -> int:
        return len(self._replies)

    async def send(self, chunk: object) -> asyncio.Future[Any]:
        """Send a chunk; the future is its reply."""
        if self._failure is not None:
            raise self._failure
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._replies.append(reply)
        await self._write(frame(chunk))
        return reply

    async def stop(self, *, kill: bool = False) -> None:
        """Ask the worker to finish and wait for its figures, or kill it; then its exit."""
        try:
            if kill or self._failure is not None:
                self._kill()
            else:
                await self._write(STOP)
                self.peak_rss, self.cpu_s = await self._done
        finally:
            await self._process.wait()
            await self._reader
            for reply in (*self._replies, self._done):  # failures were raised once already
                if reply.done() and not reply.cancelled():
                    reply.exception()

    def _kill(self) -> None:
        if self._process.returncode is None:
            self._process.kill()

    async def _write(self, data: bytes) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(data)
            await stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            raise self._failed("the worker stopped reading") from None

    async def _read(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        try:
            while True:
                (length,) = LENGTH.unpack(await stdout.readexactly(LENGTH.size))
                kind, *body = loads(await stdout.readexactly(length))
                if kind == "judged":
                    self._replies.popleft().set_result(body)
                elif kind == "done":
                    self._done.set_result((body[0], body[1]))
                    return
                else:
                    self._failed(f"failed: {body[0]}")
                    return
        except asyncio.IncompleteReadError:
            self._failed("exited")
        except Exception as error:  # a frame out of turn or unreadable: the import must stop
            self._failed(f"answered out of turn ({type(error).__name__})")

    def _failed(self, why: str) -> ImportWorkerFailed:
        if self._failure is None:
            self._failure = ImportWorkerFailed(f"import worker {self._process.pid} {why}")
            for reply in self._replies:
                if not reply.done():
                    reply.set_exception(self._failure)
            if not self._done.done():
                self._done.set_exception(self._failure)
        return self._failure
