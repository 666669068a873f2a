"""An import worker process: judges chunks of a roster's lines for the importer that
started it (``adapters.import_workers``), over its standard input and output.

    python -m services.registry.entrypoints.import_worker

The frames are ``adapters.worker_frames``. A failure is answered by its kind and the line
that raised it (never a message, which may quote the file) and ends the worker.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import resource
import sys
import traceback
from pathlib import Path
from typing import IO, Final

from services.registry.adapters.register_sqlite import SqliteRegister
from services.registry.adapters.worker_frames import WorkerSetup, frame, read_frame
from services.registry.application.judge_rows import ChunkJudge
from services.registry.domain.roster_rows import RosterLine
from services.registry.domain.validation_rows import new_tuple

PIPE_BYTES: Final = 1 << 20


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    setup: WorkerSetup = read_frame(requests)
    cipher = setup.cipher()
    register = SqliteRegister(setup.register_db)
    judge = ChunkJudge(setup.terms, cipher)
    try:
        while (chunk := read_frame(requests)) is not None:
            first_row_no, raw = chunk
            lines = [new_tuple(RosterLine, line) for line in raw]  # sent as plain tuples
            judged, heads = judge.judge(first_row_no, lines, register.fetch(lines, cipher=cipher))
            # plain tuples: a named tuple pickles four times slower
            replies.write(frame(("judged", [tuple(row) for row in judged], heads)))
            replies.flush()
            gc.freeze()  # what lives on (caches, the ID reader's tables) leaves full scans
    finally:
        register.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    replies.write(frame(("done", peak_rss_bytes(), usage.ru_utime + usage.ru_stime)))
    replies.flush()


def peak_rss_bytes() -> int:
    """This process's peak resident memory since it started this program. ``ru_maxrss``
    would count the parent's as well: Linux keeps it across the fork and exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for entry in status:
                if entry.startswith("VmHWM:"):
                    return int(entry.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> None:
    _widen_pipes(sys.stdin.fileno(), sys.stdout.fileno())
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not break a frame
    try:
        serve(sys.stdin.buffer, replies)
    except Exception as error:  # reported to the importer, which stores nothing
        replies.write(frame(("failed", _where(error))))
        replies.flush()
        raise SystemExit(1) from None


def _widen_pipes(*fds: int) -> None:
    """Room in the pipes for a few whole chunks (a chunk's reply is about 300 kB, a pipe
    holds 64 kB): neither side waits for the other to read while it works (Linux only)."""
    for fd in fds:
        with contextlib.suppress(AttributeError, OSError):  # not Linux, or not a pipe
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _where(error: Exception) -> str:
    """The error's kind and the line that raised it: its message may quote the file."""
    frames = traceback.extract_tb(error.__traceback__)
    place = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}{place}"


if __name__ == "__main__":
    main()
