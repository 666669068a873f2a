"""Every contract's JSON shape is pinned: a change without a new version fails here.

To change a contract: bump ``schema_version``, register ``v<N-1>_to_v<N>`` in
``contracts.events.UPCASTERS``, run ``onecard contracts export-schemas``; keep old files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.base import Event
from contracts.events import EVENTS
from contracts.schema_export import (
    SCHEMAS_DIR,
    SchemaChangedWithoutVersion,
    event_schema,
    export_schemas,
    schema_path,
)

CURRENT = [EVENTS.current(event_type) for event_type in EVENTS.event_types()]


@pytest.mark.parametrize("cls", CURRENT, ids=lambda cls: cls.event_type)
def test_the_current_version_matches_its_pinned_schema(cls: type[Event]) -> None:
    path = schema_path(cls.event_type, cls.schema_version)
    assert path.exists(), f"{path} is missing: run `onecard contracts export-schemas`"
    pinned = json.loads(path.read_text(encoding="utf-8"))
    assert event_schema(cls) == pinned, (
        f"{cls.event_type} changed shape without a new schema_version"
    )


@pytest.mark.parametrize("cls", CURRENT, ids=lambda cls: cls.event_type)
def test_every_version_keeps_its_file_and_has_an_upcaster(cls: type[Event]) -> None:
    for version in range(1, cls.schema_version + 1):
        assert schema_path(cls.event_type, version).exists(), f"v{version} file was deleted"
        if version > 1:
            assert EVENTS.has_upcaster(cls.event_type, version - 1), (
                f"{cls.event_type} v{version} has no upcaster from v{version - 1}"
            )


def test_no_schema_file_is_left_without_an_event() -> None:
    known = set(EVENTS.event_types())
    assert {path.name for path in SCHEMAS_DIR.iterdir() if path.is_dir()} <= known
    for cls in CURRENT:
        newer = schema_path(cls.event_type, cls.schema_version + 1)
        assert not newer.exists(), f"{newer} exists but the model is v{cls.schema_version}"


def test_export_writes_missing_files_and_never_rewrites_a_version(tmp_path: Path) -> None:
    assert len(export_schemas(root=tmp_path)) == len(CURRENT)
    assert export_schemas(root=tmp_path) == []
    cls = CURRENT[0]
    path = schema_path(cls.event_type, cls.schema_version, tmp_path)
    path.write_text(json.dumps({"type": "object"}), encoding="utf-8")
    with pytest.raises(SchemaChangedWithoutVersion, match=cls.event_type):
        export_schemas(root=tmp_path)


def test_personal_data_is_pinned_as_sealed_objects() -> None:
    schema = event_schema(EVENTS.current("BeneficiaryRegistered"))
    assert schema["properties"]["citizen_id"]["x-pii"] == "citizen_id"
    assert set(schema["properties"]["citizen_id"]["required"]) == {"alg", "kid", "ct", "bidx"}
