"""Ten years of history: every event version stays readable, by upcasting on read.

Stored events are never edited. When an event changes shape it gets a new
``schema_version`` and a pure upcaster ``v1_to_v2(data: dict) -> dict`` registered for
``(event_type, 1)``; reading a v1 event applies each step in turn up to the current version,
then validates the result with the current model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from contracts.base import Event

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
EventT = TypeVar("EventT", bound=type[Event])


class UnknownEventType(LookupError):
    """No event class is registered under this event type (or this version of it)."""


class MissingUpcaster(LookupError):
    """A stored version cannot reach the current one: one upcasting step is not registered."""


class EventRegistry:
    """Event classes by ``(event_type, schema_version)`` and upcasters by ``(event_type, from)``.

    The highest registered version of an event type is its current model.
    """

    def __init__(
        self,
        events: Iterable[type[Event]] = (),
        upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
    ) -> None:
        self._models: dict[tuple[str, int], type[Event]] = {}
        self._current: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for cls in events:
            self.register(cls)
        for (event_type, from_version), upcaster in (upcasters or {}).items():
            self.add_upcaster(event_type, from_version, upcaster)

    def register(self, cls: EventT) -> EventT:
        """Register an event class (usable as a decorator)."""
        key = (cls.event_type, cls.schema_version)
        if key in self._models and self._models[key] is not cls:
            raise ValueError(f"{key[0]} v{key[1]} is already registered")
        self._models[key] = cls
        latest = self._current.get(cls.event_type)
        if latest is None or latest.schema_version < cls.schema_version:
            self._current[cls.event_type] = cls
        return cls

    def including(
        self,
        events: Iterable[type[Event]],
        upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
    ) -> EventRegistry:
        """A new registry with everything of this one plus a service's private events."""
        return EventRegistry(
            [*self._models.values(), *events], {**self._upcasters, **(upcasters or {})}
        )

    def add_upcaster(self, event_type: str, from_version: int, upcaster: Upcaster) -> None:
        if (event_type, from_version) in self._upcasters:
            raise ValueError(f"{event_type} v{from_version} already has an upcaster")
        self._upcasters[(event_type, from_version)] = upcaster

    def event_types(self) -> list[str]:
        return sorted({event_type for event_type, _ in self._models})

    def current(self, event_type: str) -> type[Event]:
        """The model events of this type are read into."""
        try:
            return self._current[event_type]
        except KeyError:
            raise UnknownEventType(f"unknown event type {event_type!r}") from None

    def model(self, event_type: str, schema_version: int) -> type[Event]:
        try:
            return self._models[(event_type, schema_version)]
        except KeyError:
            raise UnknownEventType(f"unknown event {event_type!r} v{schema_version}") from None

    def has_upcaster(self, event_type: str, from_version: int) -> bool:
        return (event_type, from_version) in self._upcasters

    def upcast(self, event_type: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
        """Raw stored data of any past version, as data of the current version."""
        target = self.current(event_type).schema_version
        if schema_version > target:
            raise UnknownEventType(
                f"{event_type} v{schema_version} is newer than this code (v{target})"
            )
        for version in range(schema_version, target):
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise MissingUpcaster(f"no upcaster for {event_type} v{version} -> v{version + 1}")
            data = step(dict(data))
        return data

    def load(
        self,
        event_type: str,
        schema_version: int,
        data: dict[str, Any],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> Event:
        """Upcast raw stored data and validate it into the current model."""
        current = self.current(event_type)
        if schema_version != current.schema_version:
            data = self.upcast(event_type, schema_version, data)
        return current.model_validate(data, context=context)
