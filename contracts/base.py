"""The base of every integration event: frozen, closed, named and versioned.

``event_type`` is the stable name stored in the log and sent on Kafka; it is never a Python
import path, so classes and modules may move freely. ``schema_version`` counts the shapes the
event has had; a change of shape is a new version with an upcaster from the previous one (see
``contracts.versioning``).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """An integration event: a fact another service may rely on, kept for ten years.

    ``hide_input_in_errors`` keeps personal data out of validation messages and logs.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    event_type: ClassVar[str]
    schema_version: ClassVar[int]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: object) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        name = cls.__dict__.get("event_type")
        version = cls.__dict__.get("schema_version")
        if not isinstance(name, str) or "." in name or not name:
            raise TypeError(f"{cls.__name__}.event_type must be a stable name, not a path")
        if not isinstance(version, int) or version < 1:
            raise TypeError(f"{cls.__name__}.schema_version must be an int >= 1")
