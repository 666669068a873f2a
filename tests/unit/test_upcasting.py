"""Old events are read by upcasting raw stored JSON, step by step, to the current model.

The event here lives only in this module and in a registry of its own: v1 had one
``full_name``; v2 split it in two; v3 renamed ``amount`` (yuan, float) to ``amount_fen``.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from contracts.base import Event
from contracts.versioning import EventRegistry, MissingUpcaster, UnknownEventType


class ParcelReceived(Event):
    event_type = "TestParcelReceived"
    schema_version = 3

    family_name: str
    given_name: str
    amount_fen: int


def v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    family, _, given = data.pop("full_name").partition(" ")
    return {**data, "family_name": family, "given_name": given}


def v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    yuan = data.pop("amount")
    return {**data, "amount_fen": round(yuan * 100)}


V1 = b'{"full_name": "Ma Lin", "amount": 12.34}'
V2 = b'{"family_name": "Ma", "given_name": "Lin", "amount": 12.34}'
EXPECTED = ParcelReceived(family_name="Ma", given_name="Lin", amount_fen=1234)


@pytest.fixture
def registry() -> EventRegistry:
    return EventRegistry(
        [ParcelReceived],
        {("TestParcelReceived", 1): v1_to_v2, ("TestParcelReceived", 2): v2_to_v3},
    )


def test_v1_to_v2_splits_the_name() -> None:
    assert v1_to_v2(orjson.loads(V1)) == {"family_name": "Ma", "given_name": "Lin", "amount": 12.34}


def test_v2_to_v3_turns_yuan_into_fen() -> None:
    assert v2_to_v3(orjson.loads(V2))["amount_fen"] == 1234


@pytest.mark.parametrize(("version", "raw"), [(1, V1), (2, V2)])
def test_old_stored_json_reads_as_the_current_model(
    registry: EventRegistry, version: int, raw: bytes
) -> None:
    assert registry.load("TestParcelReceived", version, orjson.loads(raw)) == EXPECTED


def test_current_data_is_not_touched(registry: EventRegistry) -> None:
    raw = EXPECTED.model_dump()
    assert registry.load("TestParcelReceived", 3, raw) == EXPECTED


def test_a_missing_step_is_a_clear_error() -> None:
    registry = EventRegistry([ParcelReceived], {("TestParcelReceived", 2): v2_to_v3})
    with pytest.raises(MissingUpcaster, match=r"TestParcelReceived v1 -> v2"):
        registry.load("TestParcelReceived", 1, orjson.loads(V1))


def test_a_version_from_the_future_is_refused(registry: EventRegistry) -> None:
    with pytest.raises(UnknownEventType, match="newer than this code"):
        registry.load("TestParcelReceived", 4, {})


def test_an_unknown_event_type_is_refused(registry: EventRegistry) -> None:
    with pytest.raises(UnknownEventType, match="TestParcelShipped"):
        registry.load("TestParcelShipped", 1, {})


def test_upcasting_does_not_hide_bad_data(registry: EventRegistry) -> None:
    with pytest.raises(ValidationError):
        registry.load("TestParcelReceived", 2, {**orjson.loads(V2), "surplus": 1})


def test_the_global_registry_is_not_touched(registry: EventRegistry) -> None:
    from contracts.events import EVENTS

    assert "TestParcelReceived" not in EVENTS.event_types()
