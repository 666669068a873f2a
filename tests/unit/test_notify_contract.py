"""``PaymentNoticeSent`` v1 (a placeholder no release wrote) still reads, from raw stored JSON,
as the current version: the row by number, nothing invented about the sending."""

from __future__ import annotations

import orjson

from contracts.events import EVENTS, PaymentNoticeSent
from contracts.events.notify import payment_notice_sent_v1_to_v2

V1 = b"""{"notification_id": "n-1", "beneficiary_id": "b-1", "roster_id": "r-1",
"row_id": "7", "channel": "sms"}"""


def test_v1_to_v2_names_the_row_by_number_and_knows_nothing_of_the_sending() -> None:
    assert payment_notice_sent_v1_to_v2(orjson.loads(V1)) == {
        "notification_id": "n-1",
        "beneficiary_id": "b-1",
        "roster_id": "r-1",
        "row_no": 7,
        "channel": "sms",
        "instruction_id": "unknown",
        "township_code": "unknown",
        "provider": "unknown",
        "provider_reference": None,
        "text": None,
        "attempts": 1,
    }


def test_stored_v1_json_reads_as_the_current_model() -> None:
    event = EVENTS.load("PaymentNoticeSent", 1, orjson.loads(V1))
    assert isinstance(event, PaymentNoticeSent)
    assert (event.row_no, event.text, event.attempts) == (7, None, 1)


def test_a_v1_row_id_that_is_not_a_number_reads_as_row_zero() -> None:
    data = {**orjson.loads(V1), "row_id": "row-seven"}
    assert EVENTS.load("PaymentNoticeSent", 1, data).row_no == 0  # type: ignore[attr-defined]
