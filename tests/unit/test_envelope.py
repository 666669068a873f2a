"""The envelope refuses naive times, unknown fields and changes; ids are time-ordered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from contracts.envelope import Actor, Envelope, derived_event_id, new_envelope, new_event_id
from contracts.events import RosterSubmitted
from tests.unit.contract_samples import AT, ROSTER, envelope_of


def test_a_naive_occurred_at_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        new_envelope(
            ROSTER,
            stream_id="s",
            occurred_at=datetime(2025, 3, 1, 8, 30),
            actor=Actor.system("payout"),
            correlation_id=uuid.uuid4(),
            event_id=new_event_id(AT),
        )


def test_an_aware_time_is_kept_as_the_same_instant_in_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    moved = Envelope[RosterSubmitted].model_validate(
        {**dict(envelope_of(ROSTER)), "occurred_at": AT.astimezone(beijing)}
    )
    assert moved.occurred_at == AT
    assert moved.occurred_at.utcoffset() == timedelta(0)


def test_extra_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Envelope.model_validate({**dict(envelope_of(ROSTER)), "tenant": "x"})
    with pytest.raises(ValidationError, match="Extra inputs"):
        type(ROSTER).model_validate({**ROSTER.model_dump(), "note": "x"})


def test_envelopes_and_events_are_frozen() -> None:
    envelope = envelope_of(ROSTER)
    with pytest.raises(ValidationError, match="frozen"):
        envelope.stream_id = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        ROSTER.total_fen = 1  # type: ignore[misc]


def test_event_ids_are_uuid7_ordered_by_the_given_clock() -> None:
    first, later = new_event_id(AT), new_event_id(AT + timedelta(milliseconds=1))
    assert isinstance(first, uuid.UUID)
    assert first.version == 7
    assert first < later


def test_event_ids_must_be_uuid7() -> None:
    with pytest.raises(ValidationError, match="UUIDv7"):
        Envelope.model_validate({**dict(envelope_of(ROSTER)), "event_id": uuid.uuid4()})


def test_the_envelope_names_the_event_and_its_version() -> None:
    envelope = envelope_of(ROSTER)
    assert (envelope.event_type, envelope.schema_version) == ("RosterSubmitted", 2)
    assert envelope.stream_version is None


def test_a_system_actor_is_named_after_its_service() -> None:
    actor = Actor.system("payout")
    assert actor.user_id == "system:payout"
    assert actor.jurisdiction_code is None


def test_a_malformed_traceparent_is_refused() -> None:
    with pytest.raises(ValidationError, match="traceparent"):
        Envelope.model_validate({**dict(envelope_of(ROSTER)), "traceparent": "not-a-trace"})


def test_money_is_never_a_float() -> None:
    with pytest.raises(ValidationError, match="total_fen"):
        type(ROSTER).model_validate({**ROSTER.model_dump(), "total_fen": 1234.0})


def test_derived_event_ids_are_v7_time_ordered_and_repeatable() -> None:
    early = datetime(2026, 1, 1, 8, tzinfo=UTC)
    late = datetime(2026, 1, 1, 9, tzinfo=UTC)
    first = derived_event_id(early, key="cmd-1/0")
    assert first.version == 7
    assert first.variant == uuid.RFC_4122
    assert first == derived_event_id(early, key="cmd-1/0")
    assert first != derived_event_id(early, key="cmd-1/1")
    assert first < derived_event_id(late, key="cmd-0/0")
    assert int(first.hex[:12], 16) == int(early.timestamp() * 1000)
