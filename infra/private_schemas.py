"""The services' private events are kept ten years like the contracts, so their shapes are
pinned too: each service's JSON Schemas live beside its code (``services/<name>/schemas``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from contracts.events import EVENTS
from contracts.versioning import EventRegistry
from services.registry.domain.events import REGISTRY_EVENTS

_SERVICES: Final = Path(__file__).resolve().parent.parent / "services"


@dataclass(frozen=True)
class PrivateEvents:
    service: str
    registry: EventRegistry

    @property
    def root(self) -> Path:
        return _SERVICES / self.service / "schemas"

    def event_types(self) -> list[str]:
        """The service's own event types (the contracts it also reads are pinned apart)."""
        contracts = set(EVENTS.event_types())
        return [name for name in self.registry.event_types() if name not in contracts]


PRIVATE: Final = (PrivateEvents("registry", REGISTRY_EVENTS),)
"""Every service registry with private events."""
