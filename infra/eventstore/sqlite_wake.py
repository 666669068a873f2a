"""Wake-ups between the processes that share one SQLite event store file.

A reader waiting for appends (the relay, a catch-up subscription) binds a unix datagram socket
in a folder named after the store file; every writer, right after a commit, sends the last
position it committed (8 bytes) to each socket in that folder. Only a hint: the waiter reads
the log to see what is there, and still polls (slowly) in case a wake-up never comes, from a
writer that cannot reach the folder (another machine or container) or a socket buffer that was
full. The folder is under the temporary directory, keyed by a digest of the file's real path,
so socket paths stay short whatever the store's path. A socket left behind by a killed process
refuses datagrams and is removed by the first writer that meets it. Why datagrams, and what
they saved: docs/adr/005-at-least-once-bus.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import socket
import struct
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Final

import structlog

log = structlog.get_logger()

_POSITION: Final = struct.Struct("<q")
_DRAIN_AT_MOST: Final = 64


def wake_folder(store_path: Path) -> Path:
    """Where the waiters of the store at ``store_path`` bind their sockets."""
    digest = hashlib.sha256(str(store_path.resolve()).encode()).hexdigest()[:20]
    return Path(tempfile.gettempdir()) / "onecard-sqlite-wake" / digest


class WakeSender:
    """Tells every waiter of one store that positions up to some point are committed.
    ``send`` is a few system calls and never blocks or raises: call it right after a commit,
    from any thread."""

    def __init__(self, folder: Path, *, skip: str | None = None) -> None:
        self._folder = folder
        self.skip = skip
        """The name of a socket not to send to (the sender's own store listens there)."""
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.setblocking(False)

    def send(self, position: int) -> None:
        try:
            names = os.listdir(self._folder)
        except OSError:
            return  # no waiter has ever bound here
        payload = _POSITION.pack(position)
        for name in names:
            if name != self.skip:
                self._send_to(str(self._folder / name), payload)

    def close(self) -> None:
        self._socket.close()

    def _send_to(self, path: str, payload: bytes) -> None:
        try:
            self._socket.sendto(payload, path)
        except BlockingIOError:
            pass  # its buffer is full: it has wake-ups waiting already
        except ConnectionRefusedError:
            with contextlib.suppress(OSError):
                os.unlink(path)  # nobody is bound: a process that died without cleaning up
                os.rmdir(self._folder)  # only when it was the last one
        except OSError:
            pass  # gone meanwhile, or not ours to write to: the waiter's poll covers it


class WakeListener:
    """A socket in the store's wake folder, read by the event loop: ``on_wake`` gets the
    highest position announced by each burst of datagrams."""

    def __init__(self, folder: Path, on_wake: Callable[[int], None]) -> None:
        self.name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._path = folder / self.name
        self._on_wake = on_wake
        self._loop: asyncio.AbstractEventLoop | None = None
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self._bind(folder)
            self._socket.setblocking(False)
        except OSError:
            self._socket.close()
            raise

    def _bind(self, folder: Path) -> None:
        """Bind in ``folder``, made if missing; once more if the last listener of another
        process removed the empty folder in between."""
        for attempt in (1, 2):
            folder.mkdir(parents=True, exist_ok=True)
            try:
                self._socket.bind(str(self._path))
                return
            except FileNotFoundError:
                if attempt == 2:
                    raise

    @classmethod
    def open(cls, folder: Path, on_wake: Callable[[int], None]) -> WakeListener | None:
        """A listener on the running loop, or None (logged) where none can be bound: the
        waiter then falls back to polling."""
        try:
            listener = cls(folder, on_wake)
        except OSError as error:
            log.warning("sqlite.wake_unavailable", folder=str(folder), error=repr(error))
            return None
        listener._loop = asyncio.get_running_loop()
        listener._loop.add_reader(listener._socket.fileno(), listener._drain)
        return listener

    def close(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._socket.fileno())
        self._socket.close()
        with contextlib.suppress(OSError):
            self._path.unlink()
            self._path.parent.rmdir()  # only when no other waiter is left

    def _drain(self) -> None:
        highest = 0
        for _ in range(_DRAIN_AT_MOST):
            try:
                payload = self._socket.recv(_POSITION.size)
            except OSError:
                break
            if len(payload) == _POSITION.size:
                highest = max(highest, _POSITION.unpack(payload)[0])
        self._on_wake(highest)
