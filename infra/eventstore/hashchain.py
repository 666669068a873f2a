"""Tamper evidence: every event's hash covers its content and the hash of its predecessor
in the same stream (see docs/adr/002-per-stream-hash-chain.md).

A stored hash reads ``<algorithm>:<hex digest>`` so that the verifier knows how each event was
sealed even after the configured algorithm changes.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Final, Literal

HashAlgorithm = Literal["sha256", "sm3"]
ALGORITHMS: Final[tuple[HashAlgorithm, ...]] = ("sha256", "sm3")
_DIGESTS: Final[dict[str, Callable[[bytes], Any]]] = {
    "sha256": hashlib.sha256,  # the named constructor skips hashlib.new's lookup
    "sm3": lambda sealed: hashlib.new("sm3", sealed),
}
_LENGTHS: Final = struct.Struct(">9Q")
GENESIS: Final = ""
"""The predecessor hash of the first event of every stream."""


def utc_timestamp(moment: datetime) -> str:
    """The canonical text of a recorded-at time, as sealed in the hash (UTC, microseconds)."""
    if moment.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def chain_hash(
    algorithm: str,
    *,
    prev_hash: str,
    stream_id: str,
    stream_version: int,
    event_id: uuid.UUID,
    event_type: str,
    schema_version: int,
    recorded_at: datetime | str,
    data: bytes,
    metadata: bytes,
) -> str:
    """Seal one event: the digest of the lengths of its fields (eight bytes each, big-endian),
    then the fields themselves, its predecessor's hash first.

    ``recorded_at`` may be given as its canonical text (``utc_timestamp``), which a writer
    sealing a whole batch recorded at one moment computes once.
    """
    moment = recorded_at if isinstance(recorded_at, str) else utc_timestamp(recorded_at)
    parts = (
        prev_hash.encode(),
        stream_id.encode(),
        b"%d" % stream_version,
        event_id.bytes,
        event_type.encode(),
        b"%d" % schema_version,
        moment.encode(),
        data,
        metadata,
    )
    header = _LENGTHS.pack(*map(len, parts))
    return f"{algorithm}:{_DIGESTS[algorithm](header + b''.join(parts)).hexdigest()}"


def algorithm_of(stored_hash: str) -> str:
    """The algorithm a stored hash was made with."""
    algorithm, _, _ = stored_hash.partition(":")
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown hash algorithm in {stored_hash[:16]!r}")
    return algorithm


def chain_stream(
    algorithm: str,
    *,
    prev_hash: str,
    stream_id: str,
    first_version: int,
    events: Iterable[tuple[uuid.UUID, str, int, bytes, bytes]],
    recorded_at: str,
) -> Iterator[str]:
    """The hashes of consecutive events of one stream, recorded at one moment: the same values
    as :func:`chain_hash` event by event, with what the events share encoded once (the hot
    path of every append). ``events`` are ``(event_id, event_type, schema_version, data,
    metadata)``."""
    digest = _DIGESTS[algorithm]
    pack = _LENGTHS.pack
    stream = stream_id.encode()
    moment = recorded_at.encode()
    prefix = f"{algorithm}:"
    version = first_version
    for event_id, event_type, schema_version, data, metadata in events:
        prev = prev_hash.encode()
        number = b"%d" % version
        kind = event_type.encode()
        schema = b"%d" % schema_version
        uid = event_id.bytes
        header = pack(
            len(prev), len(stream), len(number), 16, len(kind), len(schema), len(moment),
            len(data), len(metadata),
        )  # fmt: skip
        sealed = b"".join((header, prev, stream, number, uid, kind, schema, moment, data, metadata))
        prev_hash = prefix + digest(sealed).hexdigest()
        version += 1
        yield prev_hash
