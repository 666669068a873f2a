"""The chain hash: one definition, sealed event by event (the verifier) or a stream's run of
events at once (the writers), always with the same result."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from infra.eventstore.hashchain import GENESIS, chain_hash, chain_stream, utc_timestamp

AT = utc_timestamp(datetime(2026, 12, 1, 8, 30, tzinfo=UTC))

fields = st.tuples(
    st.uuids(),
    st.text(min_size=1, max_size=20),
    st.integers(min_value=1, max_value=9),
    st.binary(max_size=64),
    st.binary(max_size=32),
)


@given(
    stream_id=st.text(min_size=1, max_size=30),
    first_version=st.integers(min_value=1, max_value=10_000),
    events=st.lists(fields, min_size=1, max_size=8),
    algorithm=st.sampled_from(["sha256", "sm3"]),
)
def test_sealing_a_run_of_events_equals_sealing_them_one_by_one(
    stream_id: str,
    first_version: int,
    events: list[tuple[uuid.UUID, str, int, bytes, bytes]],
    algorithm: str,
) -> None:
    expected, previous = [], GENESIS
    for offset, (event_id, event_type, schema_version, data, metadata) in enumerate(events):
        previous = chain_hash(
            algorithm,
            prev_hash=previous,
            stream_id=stream_id,
            stream_version=first_version + offset,
            event_id=event_id,
            event_type=event_type,
            schema_version=schema_version,
            recorded_at=AT,
            data=data,
            metadata=metadata,
        )
        expected.append(previous)
    sealed = chain_stream(
        algorithm,
        prev_hash=GENESIS,
        stream_id=stream_id,
        first_version=first_version,
        events=events,
        recorded_at=AT,
    )
    assert list(sealed) == expected


def test_a_hash_names_its_algorithm_and_changes_with_any_field() -> None:
    base = dict(
        prev_hash=GENESIS,
        stream_id="s-1",
        stream_version=1,
        event_id=uuid.UUID(int=1),
        event_type="X",
        schema_version=1,
        recorded_at=AT,
        data=b"{}",
        metadata=b"{}",
    )
    sealed = chain_hash("sha256", **base)
    assert sealed.startswith("sha256:")
    assert chain_hash("sha256", **{**base, "data": b"{ }"}) != sealed
    assert chain_hash("sha256", **{**base, "stream_version": 2}) != sealed
