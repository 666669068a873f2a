"""Each event travels on exactly one topic, published only by the service that owns it."""

from __future__ import annotations

import pytest

from contracts.events import EVENTS
from contracts.topics import TOPICS, partition_key, topic_of, topics_of
from contracts.versioning import UnknownEventType
from tests.unit.contract_samples import ROSTER, envelope_of


@pytest.mark.parametrize("event_type", EVENTS.event_types())
def test_every_registered_event_has_exactly_one_topic(event_type: str) -> None:
    carriers = [t for t in TOPICS if any(e.event_type == event_type for e in t.events)]
    assert len(carriers) == 1
    assert topic_of(event_type) is carriers[0]


def test_every_event_on_a_topic_is_registered() -> None:
    registered = set(EVENTS.event_types())
    assert {event.event_type for t in TOPICS for event in t.events} == registered


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.name)
def test_no_service_publishes_another_services_event(topic) -> None:  # type: ignore[no-untyped-def]
    for event in topic.events:
        assert event.__module__ == f"contracts.events.{topic.owner}", event.event_type


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.name)
def test_every_event_of_a_topic_carries_its_key(topic) -> None:  # type: ignore[no-untyped-def]
    for event in topic.events:
        assert topic.key in event.model_fields, f"{event.event_type} lacks {topic.key}"


def test_topic_names_are_unique_and_lookups_by_owner_work() -> None:
    assert len({t.name for t in TOPICS}) == len(TOPICS)
    assert [t.name for t in topics_of("payout")] == ["onecard.payout.payments"]
    with pytest.raises(UnknownEventType):
        topic_of("NoSuchEvent")


def test_messages_are_keyed_by_the_stream_id() -> None:
    assert partition_key(envelope_of(ROSTER, stream_id="roster-r-1")) == b"roster-r-1"
