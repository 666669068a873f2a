"""Events waiting for one large append, kept on disk rather than in memory.

A roster import of a million rows encodes about 360 MB of events before its one append
(docs/adr/007-roster-imports.md). Held in memory until then they would dominate the
importer's peak; an :class:`EventSpool` writes each event to an anonymous temporary file as
it is encoded and hands them back one at a time to ``EventStore.append_spooled``. The file
is unlinked when created, so a crash leaves nothing behind, and it holds exactly the bytes
the log would hold (personal data already sealed by the codec).
"""

from __future__ import annotations

import os
import struct
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Final

from infra.eventstore.port import NewEvent

_HEADER: Final = struct.Struct(">16sIHQQ")
"""Event id, schema version, then the lengths of the type, the data and the metadata."""


class EventSpool:
    """A ``SpooledEvents``: add every event, append the spool, close it (or use ``with``)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by close()
        self._ids: list[uuid.UUID] = []
        self._size = 0

    def add(self, event: NewEvent) -> None:
        kind = event.event_type.encode()
        header = _HEADER.pack(
            event.event_id.bytes,
            event.schema_version,
            len(kind),
            len(event.data),
            len(event.metadata),
        )
        for part in (header, kind, event.data, event.metadata):
            self._file.write(part)
        self._size += len(header) + len(kind) + len(event.data) + len(event.metadata)
        self._ids.append(event.event_id)

    @property
    def event_ids(self) -> Sequence[uuid.UUID]:
        return tuple(self._ids)

    @property
    def size(self) -> int:
        """Bytes spooled so far."""
        return self._size

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[NewEvent]:
        """The events in the order added; each iteration reads the file from the start."""
        self._file.flush()
        fd, offset = self._file.fileno(), 0
        for _ in range(len(self._ids)):
            raw_id, schema_version, *lengths = _HEADER.unpack(_read(fd, _HEADER.size, offset))
            offset += _HEADER.size
            parts = []
            for length in lengths:
                parts.append(_read(fd, length, offset))
                offset += length
            kind, data, metadata = parts
            yield NewEvent(uuid.UUID(bytes=raw_id), kind.decode(), schema_version, data, metadata)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> EventSpool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _read(fd: int, length: int, offset: int) -> bytes:
    data = os.pread(fd, length, offset)
    if len(data) != length:
        raise OSError(f"event spool truncated at byte {offset}")
    return data
