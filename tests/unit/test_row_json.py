"""An import encodes its rows itself (``adapters.row_json``): the bytes must be the codec's
for the same ``RosterRow`` — equal byte for byte when nothing is sealed, and equal once
decoded when personal data is (a seal's nonce is random)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from contracts.envelope import Actor
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import NewEvent, RecordedEvent
from services.registry.adapters.fetched_register import FetchedRegister
from services.registry.adapters.row_json import row_head, row_tail, with_rows
from services.registry.application.stored_rows import row_of
from services.registry.application.stored_values import stored_values
from services.registry.domain.events import REGISTRY_EVENTS, RosterRowsImported
from services.registry.domain.roster_rows import Column, RosterLine
from services.registry.domain.validation import RosterValidator, RowVerdict, validate_all
from services.registry.domain.validation_memory import InMemoryCrossCheckLists, InMemoryOtherRosters
from services.registry.domain.validation_ports import RegisteredPerson
from tests.unit.contract_samples import memory_cipher
from tests.unit.test_validation_rows import PROGRAMME, TODAY, VILLAGE, card, citizen, line, phone

CIPHER = memory_cipher()
CODEC = EventCodec(registry=REGISTRY_EVENTS, cipher=CIPHER)
CONTEXT = CommandContext(
    actor=Actor(user_id="u-1", role="township_operator", jurisdiction_code="650102001"),
    at=datetime(2026, 11, 23, 2, tzinfo=UTC),
    correlation_id=uuid.UUID(int=1),
    idempotency_key="import",
)


def _register(*numbers: int) -> FetchedRegister:
    people = {
        citizen(n): RegisteredPerson(
            name="张三",
            card_account=card(n),
            bank="农业银行",
            account_status="open",
            account_since=date(2020, 1, 1),
            village_code=VILLAGE,
            phone=phone(n),
            household_id=f"H{n}",
        )
        for n in numbers
    }
    return FetchedRegister(people, {citizen(n): f"b-{n}" for n in numbers})


def _judged(register: FetchedRegister, *lines: RosterLine) -> list[RowVerdict]:
    validator = RosterValidator(
        programme=PROGRAMME,
        register=register,
        other_rosters=InMemoryOtherRosters(),
        lists=InMemoryCrossCheckLists(),
        today=TODAY,
    )
    verdicts, _ = validate_all(lines, validator)
    return verdicts


def _both_ways(
    register: FetchedRegister, lines: list[RosterLine], verdicts: list[RowVerdict]
) -> tuple[NewEvent, NewEvent]:
    """The part as the codec encodes it from ``RosterRow`` models, and as the importer does."""
    rows = tuple(
        row_of(n, ln, v, register) for n, (ln, v) in enumerate(zip(lines, verdicts, strict=True), 1)
    )
    part = RosterRowsImported(roster_id="r-1", import_id="file-1", part=3, rows=rows)
    by_codec = CODEC.encode(CONTEXT.envelope(part, stream_id="roster-r-1", index=3))
    empty = CODEC.encode(
        CONTEXT.envelope(part.model_copy(update={"rows": ()}), stream_id="roster-r-1", index=3)
    )
    encoded = []
    for n, (ln, verdict) in enumerate(zip(lines, verdicts, strict=True), 1):
        amount_fen = None if verdict.row is None else verdict.row.amount_fen
        values = stored_values(n, ln, amount_fen, register)
        encoded.append(row_head(values, CIPHER) + row_tail(verdict.status, verdict.findings))
    return by_codec, with_rows(empty, encoded)


def test_rows_matched_to_the_register_are_encoded_as_the_codec_encodes_them() -> None:
    register = _register(1, 2, 3)
    lines = [
        line(1),
        line(2, amount="1055.01", remark='带"引号"和\\反斜杠\t及换行\n'),  # rejected, escaped
        line(3, name="李四", quantity="", village="三组·二队"),
        line(1, line_no=9),  # the same person again
    ]
    verdicts = _judged(register, *lines)
    assert {v.status for v in verdicts} == {"accepted", "rejected"}
    by_codec, fast = _both_ways(register, lines, verdicts)
    assert fast == by_codec


def test_rows_keeping_personal_data_decode_to_the_codec_rows() -> None:
    register = _register(1, 2)
    lines = [
        line(1, card_account=card(5)),  # an account the register does not hold: sealed
        line(2, phone="139 0000 0099"),  # another phone: sealed in its normal form
        line(4),  # not registered: the ID sealed
        line(6, citizen_id="6.50102E+17", numeric=frozenset({Column.CITIZEN_ID})),  # masked
        line(7, citizen_id="", card_account="", phone=""),
    ]
    verdicts = _judged(register, *lines)
    by_codec, fast = _both_ways(register, lines, verdicts)
    assert fast.data != by_codec.data  # sealed twice, with other nonces
    decoded = [CODEC.decode(_recorded(event)).event for event in (by_codec, fast)]
    assert decoded[0] == decoded[1]
    rows = decoded[1].rows  # type: ignore[attr-defined]
    assert rows[0].card_account.reveal() == card(5)
    assert rows[1].phone.reveal() == "13900000099"
    assert rows[2].citizen_id.reveal() == citizen(4)
    assert rows[3].citizen_id_text == "*.***02E+17"  # all but the last four digits masked


def _recorded(event: NewEvent) -> RecordedEvent:
    return RecordedEvent(
        position=1,
        stream_id="roster-r-1",
        stream_version=4,
        event_id=event.event_id,
        event_type=event.event_type,
        schema_version=event.schema_version,
        data=event.data,
        metadata=event.metadata,
        recorded_at=datetime(2026, 11, 23, tzinfo=UTC),
        hash="",
    )
