"""The JSON Schema of every event version, pinned in the repository forever.

``contracts/schemas/<event_type>/v<N>.json`` holds the stored shape of version N. Files are
written once and never changed: exporting refuses to overwrite a version file whose schema
differs, because a changed shape needs a new version and an upcaster. Docstrings are left
out of the pinned schema, so rewording a contract's documentation is not a change of shape.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any, Final

from contracts.base import Event
from contracts.versioning import EventRegistry

SCHEMAS_DIR: Final = Path(__file__).parent / "schemas"


class SchemaChangedWithoutVersion(RuntimeError):
    """An event's shape changed but its ``schema_version`` did not."""


def event_schema(cls: type[Event]) -> dict[str, Any]:
    """The pinned JSON Schema of an event class: its stored (serialised) shape."""
    schema: dict[str, Any] = _without_docs(cls.model_json_schema(mode="serialization"))
    schema["title"] = cls.event_type
    schema["x-event-type"] = cls.event_type
    schema["x-schema-version"] = cls.schema_version
    return schema


def schema_path(event_type: str, schema_version: int, root: Path = SCHEMAS_DIR) -> Path:
    return root / event_type / f"v{schema_version}.json"


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_schemas(
    registry: EventRegistry | None = None,
    root: Path = SCHEMAS_DIR,
    *,
    skip: Collection[str] = (),
) -> list[Path]:
    """Write the schema of each event's current version if missing; return the new files.
    ``skip`` names event types pinned elsewhere (a service's registry includes the contracts).

    Raises SchemaChangedWithoutVersion when a pinned file differs from its model.
    """
    if registry is None:
        from contracts.events import EVENTS

        registry = EVENTS
    written = []
    for event_type in registry.event_types():
        if event_type in skip:
            continue
        cls = registry.current(event_type)
        path = schema_path(event_type, cls.schema_version, root)
        text = render(event_schema(cls))
        if path.exists():
            if json.loads(path.read_text(encoding="utf-8")) != json.loads(text):
                raise SchemaChangedWithoutVersion(
                    f"{event_type} changed shape but is still v{cls.schema_version}: "
                    f"bump schema_version and add an upcaster ({path})"
                )
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _without_docs(node: Any, *, in_properties: bool = False) -> Any:
    if isinstance(node, dict):
        return {
            key: _without_docs(value, in_properties=key in ("properties", "$defs"))
            for key, value in node.items()
            if in_properties or not (key == "description" and isinstance(value, str))
        }
    if isinstance(node, list):
        return [_without_docs(item) for item in node]
    return node
