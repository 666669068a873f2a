"""A service's private events are pinned like the contracts: kept ten years, they may change
shape only with a new schema_version and an upcaster."""

from __future__ import annotations

import json

import pytest

from contracts.schema_export import event_schema, schema_path
from infra.private_schemas import PRIVATE

CASES = [
    (private, private.registry.current(event_type))
    for private in PRIVATE
    for event_type in private.event_types()
]


@pytest.mark.parametrize(
    ("private", "cls"), CASES, ids=lambda case: getattr(case, "event_type", "")
)
def test_each_private_event_matches_its_pinned_schema(private, cls) -> None:
    path = schema_path(cls.event_type, cls.schema_version, private.root)
    assert path.exists(), f"{path} is missing: run `onecard contracts export-schemas`"
    assert event_schema(cls) == json.loads(path.read_text(encoding="utf-8")), (
        f"{cls.event_type} changed shape without a new schema_version"
    )
    for version in range(2, cls.schema_version + 1):
        assert private.registry.has_upcaster(cls.event_type, version - 1)


@pytest.mark.parametrize("private", PRIVATE, ids=lambda private: private.service)
def test_no_private_schema_is_left_without_its_event(private) -> None:
    pinned = {path.name for path in private.root.iterdir() if path.is_dir()}
    assert pinned <= set(private.event_types())
