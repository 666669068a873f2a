"""The registry's private events: facts only the registry reads, free to evolve (with
upcasters, since they are kept ten years like every event). What other services may rely on
is in ``contracts/events/registry.py``."""

from __future__ import annotations

from typing import Final

from contracts.base import Event
from contracts.events import EVENTS
from contracts.fields import Id


class CitizenIdReserved(Event):
    """A citizen ID (stream ``citizen-id-<blind index>``) now belongs to this beneficiary:
    the register's guard that one person is registered once."""

    event_type = "CitizenIdReserved"
    schema_version = 1

    beneficiary_id: Id


REGISTRY_EVENTS: Final = EVENTS.including([CitizenIdReserved])
"""Every event the registry reads: the integration events and its private ones."""
