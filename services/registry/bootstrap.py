"""Wiring of the registry service: the beneficiary register, roster import and validation.

The one place its adapters are chosen; nothing here does I/O until the runtime starts it.
"""

from __future__ import annotations

from typing import Final

import services.registry as package
from infra.eventcodec import EventCodec
from infra.http.app import service_app
from infra.service import ServiceDeps, ServiceParts
from infra.wiring import make_cipher
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.entrypoints.http import RegistryApp, router

NAME: Final = "registry"


def build(deps: ServiceDeps) -> ServiceParts:
    """The registry HTTP app and consumers."""
    app = service_app(NAME, deps, description=package.__doc__ or "")
    app.include_router(router)
    cipher = make_cipher(deps.settings)
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    app.state.registry = RegistryApp(store=deps.store, codec=codec, index=cipher)
    return ServiceParts(name=NAME, http=app)
