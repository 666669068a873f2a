"""The file provider, the default and the demo's "phone": each message is appended, whole, to a
spool file per day (China's date), one JSON line each: ``{"id", "at", "to", "text"}``.

The spool holds phone numbers in clear (it stands for the handset), so it is protected like a
key file: the folder is created owner-only (0700) and each file 0600; file names carry only
the date, and the log names the number masked. docs/adr/013-notify.md says how to keep it.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path
from typing import Final

import orjson
import structlog

from contracts.zones import local_date
from infra.clock import Clock
from services.notify.application.ports import OutgoingSms
from services.notify.domain.delivery import Delivered, SendOutcome, Transient

FOLDER_MODE: Final = 0o700
FILE_MODE: Final = 0o600

log = structlog.get_logger()


class SpoolFileProvider:
    name = "file"

    def __init__(self, *, folder: Path, clock: Clock) -> None:
        self.folder = folder
        self._clock = clock

    def path_for(self, at: datetime) -> Path:
        """The spool file of the day ``at`` falls on in China."""
        return self.folder / f"sms-{local_date(at):%Y%m%d}.jsonl"

    async def send(self, sms: OutgoingSms) -> SendOutcome:
        at = self._clock.now()
        path = self.path_for(at)
        line = orjson.dumps(
            {
                "id": sms.notification_id,
                "at": at.isoformat(),
                "to": sms.phone.reveal(),
                "text": sms.text,
            }
        )
        try:
            await asyncio.to_thread(self._append, path, line + b"\n")
        except OSError as error:
            log.warning("sms.spool_failed", file=path.name, error=type(error).__name__)
            return Transient("spool_unwritable")
        log.info(
            "sms.spooled",
            notification_id=sms.notification_id,
            to=sms.phone.masked(),
            file=path.name,
        )
        return Delivered(reference=path.name)

    def _append(self, path: Path, line: bytes) -> None:
        self.folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)
