"""Wiring of the registry service: the beneficiary register, roster import and validation.

The one place its adapters are chosen; nothing here does I/O until the runtime starts it.
"""

from __future__ import annotations

from typing import Final

import services.registry as package
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.http.app import make_service_app
from infra.http.readiness import service_probes
from infra.service import ServiceParts
from infra.settings import Settings
from infra.wiring import make_cipher
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.entrypoints.http import RegistryApp, router

NAME: Final = "registry"


def build(settings: Settings, *, store: EventStore, codec: EventCodec) -> ServiceParts:
    """The registry HTTP app and consumers, on the store and codec the runtime opened."""
    probes, closers = service_probes(settings, service=NAME, store=store)
    app = make_service_app(NAME, ready_checks=probes, description=package.__doc__ or "")
    app.include_router(router)
    cipher = make_cipher(settings)
    own_codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    app.state.registry = RegistryApp(store=store, codec=own_codec, index=cipher)
    return ServiceParts(name=NAME, http=app, consumers=[], closers=list(closers))
