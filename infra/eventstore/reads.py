"""Read helpers shared by adapters that hold a stream in memory or page through it."""

from __future__ import annotations

from collections.abc import Sequence

from infra.eventstore.port import RecordedEvent


def slice_stream(
    stream: Sequence[RecordedEvent],
    *,
    from_version: int | None,
    backwards: bool,
    limit: int | None,
) -> list[RecordedEvent]:
    """The port's read_stream semantics over a list of a stream's events in version order."""
    if backwards:
        end = len(stream) if from_version is None else max(0, min(from_version, len(stream)))
        selected = list(reversed(stream[:end]))
    else:
        start = 0 if from_version is None else max(0, from_version - 1)
        selected = list(stream[start:])
    return selected if limit is None else selected[:limit]
