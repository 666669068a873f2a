"""Tamper evidence: every event's hash covers its content and the hash of its predecessor
in the same stream (see docs/adr/002-per-stream-hash-chain.md).

A stored hash reads ``<algorithm>:<hex digest>`` so that the verifier knows how each event was
sealed even after the configured algorithm changes.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Final, Literal

HashAlgorithm = Literal["sha256", "sm3"]
ALGORITHMS: Final[tuple[HashAlgorithm, ...]] = ("sha256", "sm3")
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
    recorded_at: datetime,
    data: bytes,
    metadata: bytes,
) -> str:
    """Seal one event: a length-prefixed digest of its fields and its predecessor's hash."""
    digest = hashlib.new(algorithm)
    parts = (
        prev_hash.encode(),
        stream_id.encode(),
        str(stream_version).encode(),
        event_id.bytes,
        event_type.encode(),
        str(schema_version).encode(),
        utc_timestamp(recorded_at).encode(),
        data,
        metadata,
    )
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return f"{algorithm}:{digest.hexdigest()}"


def algorithm_of(stored_hash: str) -> str:
    """The algorithm a stored hash was made with."""
    algorithm, _, _ = stored_hash.partition(":")
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown hash algorithm in {stored_hash[:16]!r}")
    return algorithm
