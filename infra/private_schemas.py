"""The services' private events are kept ten years like the contracts, so their shapes are
pinned too: each service's JSON Schemas live beside its code (``services/<name>/schemas``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from contracts.events import EVENTS
from contracts.versioning import EventRegistry
from infra.identity.events import IDENTITY_EVENTS
from infra.identity.query_log import QUERY_LOG_EVENTS
from services.approval.domain.events import APPROVAL_EVENTS
from services.notify.domain.events import NOTIFY_EVENTS
from services.payout.domain.events import PAYOUT_EVENTS
from services.publicity.domain.events import PUBLICITY_EVENTS
from services.registry.domain.events import REGISTRY_EVENTS

_SERVICES: Final = Path(__file__).resolve().parent.parent / "services"


@dataclass(frozen=True)
class PrivateEvents:
    service: str
    registry: EventRegistry
    schemas: Path | None = None
    """Where the schemas live when not beside a service (``infra`` events)."""

    @property
    def root(self) -> Path:
        return self.schemas or _SERVICES / self.service / "schemas"

    def event_types(self) -> list[str]:
        """The service's own event types (the contracts it also reads are pinned apart)."""
        contracts = set(EVENTS.event_types())
        return [name for name in self.registry.event_types() if name not in contracts]


PRIVATE: Final = (
    PrivateEvents("registry", REGISTRY_EVENTS),
    PrivateEvents("approval", APPROVAL_EVENTS),
    PrivateEvents("publicity", PUBLICITY_EVENTS),
    PrivateEvents("payout", PAYOUT_EVENTS),
    PrivateEvents("notify", NOTIFY_EVENTS),
    PrivateEvents(
        "query_log", QUERY_LOG_EVENTS, Path(__file__).parent / "identity" / "query_log_schemas"
    ),
    PrivateEvents("identity", IDENTITY_EVENTS, Path(__file__).parent / "identity" / "schemas"),
)
"""Every service registry with private events."""
