"""The spool sender of one-time codes, the default and the demo's "phone": each SMS is
appended to the day's spool file (China's date), one JSON line ``{"id", "at", "to", "text"}``,
the same files and format as the notify service's file provider, so the demo's phone shows
every SMS in one place.

The spool holds numbers (and live codes) in clear, standing for the handsets: it is created
owner-only (folder 0700, files 0600, ``O_APPEND``), and log lines name the number masked.
docs/adr/015-disclosure-and-lookup.md says how it will be replaced by the notify service.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Final

import orjson
import structlog

from contracts.pii import PhoneNo
from contracts.zones import local_date
from infra.clock import Clock

FOLDER_MODE: Final = 0o700
FILE_MODE: Final = 0o600

log = structlog.get_logger()


class SpoolCodeSender:
    name = "file"

    def __init__(self, *, folder: Path, clock: Clock) -> None:
        self.folder = folder
        self._clock = clock

    async def send(self, *, message_id: str, phone: PhoneNo, text: str) -> bool:
        at = self._clock.now()
        path = self.folder / f"sms-{local_date(at):%Y%m%d}.jsonl"
        line = orjson.dumps(
            {"id": message_id, "at": at.isoformat(), "to": phone.reveal(), "text": text}
        )
        try:
            await asyncio.to_thread(self._append, path, line + b"\n")
        except OSError as error:
            log.warning("lookup.code_not_spooled", file=path.name, error=type(error).__name__)
            return False
        log.info("lookup.code_spooled", message_id=message_id, to=phone.masked(), file=path.name)
        return True

    def _append(self, path: Path, line: bytes) -> None:
        self.folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)
