"""How the KurrentDB adapter names streams and carries our fields in server events (no server)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from kurrentdbclient import RecordedEvent as ServerRecord
from kurrentdbclient import StreamState

from infra.eventstore.hashchain import utc_timestamp
from infra.eventstore.kurrent import (
    CONTENT_TYPE,
    Claim,
    StreamNames,
    decode_checkpoint,
    decode_record,
    encode_checkpoint,
    encode_metadata,
    server_expected,
    to_server,
)
from infra.eventstore.port import NO_STREAM, EventStoreError, RecordedEvent

NAMES = StreamNames("onecard")


def recorded(**changes: object) -> RecordedEvent:
    fields: dict[str, object] = {
        "position": 123_456,
        "stream_id": "花名册-乌鲁木齐-001",
        "stream_version": 3,
        "event_id": uuid.uuid4(),
        "event_type": "补贴已发放",
        "schema_version": 2,
        "data": '{"n":1,"text":"¥123.45 𠀀"}'.encode(),
        "metadata": b'{"actor":"system:test"}',
        "recorded_at": datetime(2025, 3, 1, 8, 30, 0, 123456, tzinfo=UTC),
        "hash": "sha256:" + "ab" * 32,
    }
    return RecordedEvent(**{**fields, **changes})  # type: ignore[arg-type]


def as_stored_by_server(row: RecordedEvent) -> ServerRecord:
    sent = to_server(row)
    return ServerRecord(
        type=sent.type,
        data=sent.data,
        metadata=sent.metadata,
        content_type=sent.content_type,
        id=sent.id,
        stream_name=NAMES.stream(row.stream_id),
        stream_position=row.stream_version - 1,
        commit_position=row.position,
        prepare_position=row.position,
    )


def test_stream_ids_map_to_prefixed_server_names_and_back():
    assert NAMES.stream("花名册-001") == "onecard:花名册-001"
    assert NAMES.stream_id("onecard:花名册-001") == "花名册-001"
    assert NAMES.stream_id(NAMES.stream("a:b:c")) == "a:b:c"


def test_a_name_outside_the_namespace_is_refused():
    with pytest.raises(EventStoreError):
        NAMES.stream_id("onecard2:s-1")


def test_checkpoint_and_claim_streams_are_outside_the_event_prefix():
    event_id = uuid.UUID(int=7)
    assert NAMES.checkpoint("projector") == "onecard-checkpoint-projector"
    assert NAMES.claim(event_id) == f"onecard-eventid-{event_id}"
    for name in (NAMES.checkpoint("projector"), NAMES.claim(event_id)):
        assert not name.startswith(NAMES.prefix)


def test_one_namespace_prefix_never_covers_another():
    assert not StreamNames("onecard-test").prefix.startswith(NAMES.prefix)
    assert not NAMES.prefix.startswith(StreamNames("one").prefix)


@pytest.mark.parametrize("namespace", ["", "a:b", "$system", "-lead", "with space"])
def test_namespaces_that_could_overlap_or_hit_system_streams_are_refused(namespace):
    with pytest.raises(ValueError, match="namespace"):
        StreamNames(namespace)


def test_our_versions_count_from_one_and_server_revisions_from_zero():
    assert server_expected(NO_STREAM) is StreamState.NO_STREAM
    assert server_expected(1) == 0
    assert server_expected(10_000) == 9_999


def test_a_recorded_event_survives_the_server_round_trip_unchanged():
    row = recorded()
    assert decode_record(as_stored_by_server(row), NAMES) == row


def test_the_server_event_keeps_id_type_data_and_is_json():
    row = recorded()
    sent = to_server(row)
    assert (sent.id, sent.type, sent.data) == (row.event_id, row.event_type, row.data)
    assert sent.content_type == CONTENT_TYPE == "application/json"


def test_server_metadata_is_a_json_object_of_strings():
    envelope = json.loads(encode_metadata(recorded()))
    assert set(envelope) == {"schema_version", "recorded_at", "hash", "metadata"}
    assert all(isinstance(value, str) for value in envelope.values())
    assert envelope["metadata"] == '{"actor":"system:test"}'


def test_recorded_at_keeps_its_sealed_text_whatever_the_timezone():
    beijing = timezone(timedelta(hours=8))
    row = recorded(recorded_at=datetime(2025, 3, 1, 16, 30, 0, 1, tzinfo=beijing))
    back = decode_record(as_stored_by_server(row), NAMES)
    assert utc_timestamp(back.recorded_at) == utc_timestamp(row.recorded_at)
    assert back.recorded_at.tzinfo is not None


def test_metadata_that_is_not_utf8_round_trips_as_base64():
    row = recorded(metadata=b"\xff\xfe{}")
    assert "metadata_base64" in json.loads(encode_metadata(row))
    assert decode_record(as_stored_by_server(row), NAMES).metadata == b"\xff\xfe{}"


def test_an_event_without_our_envelope_is_refused():
    foreign = as_stored_by_server(recorded())
    foreign = ServerRecord(**{**foreign.__dict__, "metadata": b""})
    with pytest.raises(EventStoreError, match="no onecard envelope"):
        decode_record(foreign, NAMES)


def test_claims_round_trip_and_compare_by_place_not_revision():
    claim = Claim("s-1", 4)
    back = Claim.decode(claim.encode(), revision=2)
    assert (back.stream_id, back.version, back.revision) == ("s-1", 4, 2)
    assert claim.same_place(back)
    assert not claim.same_place(Claim("s-1", 5))
    assert not claim.same_place(None)


def test_checkpoints_round_trip():
    assert decode_checkpoint(encode_checkpoint(987_654_321)) == 987_654_321
