"""Reading only the event of a record (to fold a stream) gives the event the whole envelope
holds, upcast and sealed alike, and refuses a damaged record the same way."""

from __future__ import annotations

import pytest

from contracts.pii import CardAccountNo
from infra.eventcodec import EventDecodeError
from tests.unit.contract_samples import SAMPLES, envelope_of
from tests.unit.test_eventcodec import CODEC, stored


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.event_type)
def test_the_event_alone_is_the_event_of_the_envelope(event: object) -> None:
    record = stored(CODEC.encode(envelope_of(event)))  # type: ignore[arg-type]
    assert CODEC.decode_event(record) == CODEC.decode(record).event


def test_personal_data_of_the_event_alone_stays_sealed_until_revealed() -> None:
    declared = next(event for event in SAMPLES if event.event_type == "CardAccountDeclared")
    record = stored(CODEC.encode(envelope_of(declared)))
    account = CODEC.decode_event(record).account_no  # type: ignore[attr-defined]
    assert isinstance(account, CardAccountNo)
    assert account.reveal() == declared.account_no.reveal()  # type: ignore[attr-defined]
    assert account.reveal() not in record.data.decode()


def test_a_damaged_record_is_refused_naming_the_event_not_its_content() -> None:
    record = stored(CODEC.encode(envelope_of(SAMPLES[0])))
    damaged = record._replace(data=b'{"not": "it"}')
    with pytest.raises(EventDecodeError, match=str(record.event_id)):
        CODEC.decode_event(damaged)
