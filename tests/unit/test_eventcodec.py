"""The codec turns every envelope into a store record and back, with personal data sealed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import given, settings

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import EVENTS, BeneficiaryRegistered, CardAccountDeclared
from contracts.versioning import EventRegistry, UnknownEventType
from infra.eventcodec import EventCodec, EventDecodeError
from infra.eventstore.port import NewEvent, RecordedEvent
from infra.pii import CIPHER_NAMES, CipherName, DecryptionFailed
from tests.unit.contract_samples import (
    CARD,
    PERSON,
    ROSTER,
    SAMPLES,
    account_nos,
    citizen_ids,
    envelope_of,
    memory_cipher,
    phone_nos,
)

CODEC = EventCodec(registry=EVENTS, cipher=memory_cipher())


def stored(new: NewEvent, *, stream_id: str = "s-1", version: int = 3) -> RecordedEvent:
    return RecordedEvent(
        position=10,
        stream_id=stream_id,
        stream_version=version,
        event_id=new.event_id,
        event_type=new.event_type,
        schema_version=new.schema_version,
        data=new.data,
        metadata=new.metadata,
        recorded_at=datetime(2025, 3, 1, tzinfo=UTC),
        hash="sha256:00",
    )


def test_the_samples_cover_every_registered_event() -> None:
    assert sorted(sample.event_type for sample in SAMPLES) == EVENTS.event_types()


@pytest.mark.parametrize("algorithm", CIPHER_NAMES)
@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.event_type)
def test_every_event_round_trips(event: Event, algorithm: CipherName) -> None:
    codec = EventCodec(registry=EVENTS, cipher=memory_cipher(algorithm))
    envelope = envelope_of(event, stream_id="roster-r-1")
    new = codec.encode(envelope)
    assert (new.event_type, new.schema_version) == (event.event_type, event.schema_version)
    decoded = codec.decode(stored(new, stream_id="roster-r-1", version=3))
    assert decoded == envelope.model_copy(update={"stream_version": 3})


def test_metadata_holds_the_envelope_but_not_the_record_fields() -> None:
    new = CODEC.encode(envelope_of(ROSTER))
    metadata = orjson.loads(new.metadata)
    assert metadata["actor"]["user_id"] == "u-7"
    assert metadata["occurred_at"] == "2025-03-01T08:30:00Z"
    assert not {"event_id", "stream_id", "stream_version", "event"} & set(metadata)


@settings(max_examples=50, deadline=None, database=None)
@given(citizen_id=citizen_ids, phone=phone_nos, account=account_nos)
def test_no_personal_data_reaches_the_stored_bytes(
    citizen_id: str, phone: str, account: str
) -> None:
    person = BeneficiaryRegistered.model_validate(
        {**PERSON.model_dump(), "citizen_id": citizen_id, "phone": phone}
    )
    card = CardAccountDeclared.model_validate({**CARD.model_dump(), "account_no": account})
    for event in (person, card):
        new = CODEC.encode(envelope_of(event))
        for value in (citizen_id, phone, account):
            assert value.encode() not in new.data + new.metadata
        assert CODEC.decode(stored(new)).event == event


def test_an_unknown_event_type_is_refused_both_ways() -> None:
    codec = EventCodec(registry=EventRegistry(), cipher=memory_cipher())
    with pytest.raises(UnknownEventType, match="RosterSubmitted"):
        codec.encode(envelope_of(ROSTER))
    with pytest.raises(UnknownEventType, match="RosterSubmitted"):
        codec.decode(stored(CODEC.encode(envelope_of(ROSTER))))


def test_unreadable_data_names_the_event_not_its_content() -> None:
    new = CODEC.encode(envelope_of(PERSON))
    data = orjson.loads(new.data)
    data["citizen_id"]["kid"] = "k-destroyed"
    unreadable = dataclasses.replace(new, data=orjson.dumps(data))
    with pytest.raises(
        EventDecodeError, match=rf"{new.event_id} \(BeneficiaryRegistered v1\)"
    ) as e:
        CODEC.decode(stored(unreadable))
    assert data["citizen_id"]["ct"] not in str(e.value)


def test_another_deployments_events_decode_but_do_not_open() -> None:
    new = CODEC.encode(envelope_of(PERSON))
    other_deployment = EventCodec(registry=EVENTS, cipher=memory_cipher())
    event = other_deployment.decode(stored(new)).event
    assert isinstance(event, BeneficiaryRegistered)
    with pytest.raises(DecryptionFailed):
        event.citizen_id.reveal()


def test_decoded_envelopes_are_typed_by_the_current_model() -> None:
    decoded: Envelope[Event] = CODEC.decode(stored(CODEC.encode(envelope_of(PERSON))))
    assert isinstance(decoded.event, BeneficiaryRegistered)
