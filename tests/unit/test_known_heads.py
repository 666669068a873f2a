"""The stream heads a PostgreSQL writer predicts, to append in one round trip: a new stream
starts empty, a stream the writer appended to is where that append left it, anything else is
unknown (and goes the locked way)."""

from __future__ import annotations

import uuid

from infra.eventstore.hashchain import GENESIS
from infra.eventstore.planning import AppendRequest, StreamHead
from infra.eventstore.port import ANY_VERSION, NO_STREAM, NewEvent
from infra.eventstore.postgres_predicted import KnownHeads

HEAD = StreamHead(3, "sha256:" + "ab" * 32)


def request(stream_id: str, expected_version: int) -> AppendRequest:
    event = NewEvent(uuid.uuid4(), "Tested", 1, b"{}")
    return AppendRequest(stream_id, (event,), expected_version)


def test_a_stream_that_must_not_exist_is_predicted_empty() -> None:
    assert KnownHeads().predict([request("s-1", NO_STREAM)]) == {"s-1": StreamHead(0, GENESIS)}


def test_an_unknown_stream_appended_at_a_version_or_anywhere_has_no_prediction() -> None:
    heads = KnownHeads()
    assert heads.predict([request("s-1", 3)]) is None
    assert heads.predict([request("s-1", ANY_VERSION)]) is None
    assert heads.predict([request("s-2", NO_STREAM), request("s-1", 3)]) is None


def test_a_remembered_head_is_predicted_whatever_the_request_expects() -> None:
    heads = KnownHeads()
    heads.remember({"s-1": HEAD})
    for expected in (NO_STREAM, 2, 3, ANY_VERSION):
        assert heads.predict([request("s-1", expected)]) == {"s-1": HEAD}


def test_a_stream_appended_twice_in_a_batch_is_predicted_by_its_first_request() -> None:
    predicted = KnownHeads().predict([request("s-1", NO_STREAM), request("s-1", 1)])
    assert predicted == {"s-1": StreamHead(0, GENESIS)}


def test_beyond_capacity_the_least_recently_written_heads_are_dropped() -> None:
    heads = KnownHeads(capacity=2)
    heads.remember({"old": HEAD, "middle": HEAD})
    heads.remember({"old": HEAD})  # written again: now the most recent
    heads.remember({"new": HEAD})
    assert heads.predict([request("middle", 3)]) is None
    assert heads.predict([request("old", 3), request("new", 3)]) == {"old": HEAD, "new": HEAD}


def test_a_forgotten_head_is_no_longer_predicted() -> None:
    heads = KnownHeads()
    heads.remember({"s-1": HEAD, "s-2": HEAD})
    heads.forget(["s-1"])
    assert heads.predict([request("s-1", 3)]) is None
    assert heads.predict([request("s-2", 3)]) == {"s-2": HEAD}


def test_a_head_read_from_the_store_is_learned_unless_a_later_one_is_known() -> None:
    heads = KnownHeads()
    heads.learn("s-1", HEAD)
    assert heads.predict([request("s-1", 3)]) == {"s-1": HEAD}
    later = StreamHead(4, "sha256:" + "cd" * 32)
    heads.remember({"s-1": later})
    heads.learn("s-1", HEAD)  # a read that started before the append of version 4
    assert heads.predict([request("s-1", 4)]) == {"s-1": later}
