"""When does a consumer's projection show an event? A watcher process for bench.bus_processes.

    python -m bench.bus_watch --consumer NAME --out FILE (--sqlite PATH | --postgres DSN --schema S)

It reads event ids, one per line, on standard input (the bench writes each id as its append
returns) and, while any is not yet seen, looks at the consumer's inbox every millisecond on a
connection of its own, as any reader of the projection would. Each look that finds an id stamps
it with the wall-clock time the look began: the transaction holding it had committed by then,
so the stamp is late by at most a look's interval and duration, never early. Once standard
input is closed and every id was found, it writes ``{event_id: epoch seconds}`` to FILE.

A look costs what is new, not what is pending (a watcher that fell behind must not take the
CPU the consumer needs): on SQLite it reads the inbox rows after the last rowid it saw; on
PostgreSQL (no such order) it asks for the oldest 100 pending ids, so there a newer event
found only after older ones is stamped late.

A process of its own so that neither the bench's event loop nor its GIL delays a look.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import selectors
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

LOOK_EVERY = 0.001
OLDEST = 100


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--consumer", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sqlite", type=Path)
    parser.add_argument("--postgres")
    parser.add_argument("--schema")
    return parser.parse_args()


Look = Callable[[Sequence[str]], set[str]]
"""Given the pending ids (oldest first), the ids of events found visible, pending or not."""


def sqlite_look(path: Path, consumer: str) -> Look:
    """Rows new since the last look, the first look after those already there when it
    started (SQLAlchemy keeps a UUID there as 32 hex digits)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    try:
        last = conn.execute("SELECT coalesce(max(rowid), 0) FROM inbox").fetchone()[0]
    except sqlite3.OperationalError:
        last = 0

    def look(pending: Sequence[str]) -> set[str]:
        nonlocal last
        query = "SELECT rowid, event_id FROM inbox WHERE rowid > ? AND consumer = ?"
        try:
            rows = conn.execute(query, (last, consumer)).fetchall()
        except sqlite3.OperationalError:
            return set()  # the service has not created its tables yet
        last = max((row[0] for row in rows), default=last)
        return {str(uuid.UUID(row[1])) for row in rows}

    return look


def postgres_look(dsn: str, schema: str, consumer: str) -> Look:
    import asyncpg  # type: ignore[import-untyped]

    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(asyncpg.connect(dsn))
    query = f"SELECT event_id FROM {schema}.inbox WHERE consumer = $1 AND event_id = ANY($2)"

    def look(pending: Sequence[str]) -> set[str]:
        oldest = [uuid.UUID(i) for i in pending[:OLDEST]]
        try:
            rows = loop.run_until_complete(conn.fetch(query, consumer, oldest))
        except asyncpg.UndefinedTableError:
            return set()
        return {str(row[0]) for row in rows}

    return look


def watch(look: Look) -> dict[str, float]:
    pending: dict[str, None] = {}
    seen: dict[str, float] = {}
    selector = selectors.DefaultSelector()
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ)
    tail, open_ = b"", True
    while open_ or pending:
        if open_ and selector.select(0 if pending else 0.05):
            chunk = os.read(sys.stdin.fileno(), 1 << 16)
            open_ = bool(chunk)
            *lines, tail = (tail + chunk).split(b"\n")
            fresh = (str(uuid.UUID(line.decode())) for line in lines if line)
            pending.update((i, None) for i in fresh if i not in seen)
        if not pending:
            continue
        began = time.time()
        for event_id in look(list(pending)):
            seen.setdefault(event_id, began)
            pending.pop(event_id, None)
        time.sleep(max(0.0, began + LOOK_EVERY - time.time()))
    return seen


def main() -> None:
    args = arguments()
    if args.sqlite:
        look = sqlite_look(args.sqlite, args.consumer)
    else:
        look = postgres_look(args.postgres, args.schema, args.consumer)
    print("ready", flush=True)  # the bench appends only after this: no row predates it
    seen = watch(look)
    args.out.write_text(json.dumps(seen))


if __name__ == "__main__":
    main()


class Watcher:
    """The bench's side: start the watcher process, hand it each id, collect the stamps."""

    def __init__(self, folder: Path, consumer: str, where: list[str], env: dict[str, str]) -> None:
        self._out = folder / f"watch-{uuid.uuid4().hex[:6]}.json"
        command = [sys.executable, "-m", "bench.bus_watch", "--consumer", consumer]
        self._process = subprocess.Popen(
            [*command, "--out", str(self._out), *where],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    async def ready(self) -> None:
        """Return once the watcher has connected and noted what the inbox already holds."""
        assert self._process.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(self._process.stdout.readline), 60)
        if line.strip() != b"ready":
            raise RuntimeError(f"bench.bus_watch did not start: {line!r}")

    def watch(self, event_id: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(f"{event_id}\n".encode())
        self._process.stdin.flush()

    def seen(self, timeout: float = 120.0) -> dict[str, float]:
        """Close its input, wait until it found every id, and return the stamps."""
        assert self._process.stdin is not None
        self._process.stdin.close()
        if self._process.wait(timeout) != 0:
            raise RuntimeError(f"bench.bus_watch exited with {self._process.returncode}")
        stamps: dict[str, float] = json.loads(self._out.read_text())
        return stamps

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
