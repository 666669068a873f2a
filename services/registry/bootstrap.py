"""Wiring of the registry service: the beneficiary register, roster import and validation.

The one place its adapters are chosen; nothing here does I/O until the runtime starts it.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import MetaData

import services.registry as package
from contracts.topics import topic_of
from infra.eventcodec import EventCodec
from infra.http.app import service_app
from infra.identity.http import include_identity
from infra.service import ConsumerSpec, ServiceDeps, ServiceParts
from infra.wiring import make_cipher
from services.registry.adapters.import_workers import workers_for
from services.registry.adapters.tables import TABLES
from services.registry.application.register_projection import REGISTER_EVENTS, register_handler
from services.registry.application.roster_returns import RETURNING_EVENTS, returns_handler
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.entrypoints.http import RegistryApp, router
from services.registry.entrypoints.http_beneficiaries import router as beneficiaries_router
from services.registry.entrypoints.http_catalogue import router as catalogue_router
from services.registry.entrypoints.http_rosters import ImportJobs
from services.registry.entrypoints.http_rosters import router as rosters_router

NAME: Final = "registry"


def build(deps: ServiceDeps) -> ServiceParts:
    """The registry HTTP app and consumers: the register read model, and the reaction that
    reopens a roster sent back by approval or halted on its notice."""
    app = service_app(NAME, deps, description=package.__doc__ or "")
    app.include_router(router)
    app.include_router(beneficiaries_router)
    app.include_router(catalogue_router)
    app.include_router(rosters_router)
    include_identity(app, deps)
    cipher = make_cipher(deps.settings)
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    app.state.roster_jobs = ImportJobs()
    workers = workers_for(
        deps.projections,
        key_file=deps.settings.resolved_key_file,
        algorithm=deps.settings.pii_cipher,
    )
    app.state.registry = RegistryApp(
        store=deps.store,
        codec=codec,
        index=cipher,
        projections=deps.projections,
        import_workers=workers,
    )
    register = ConsumerSpec(
        name="registry-register",
        topics=tuple(dict.fromkeys(topic_of(event.event_type).name for event in REGISTER_EVENTS)),
        handler=register_handler(cipher),
        tables=TABLES,
    )
    returns = ConsumerSpec(
        name="registry-roster-returns",
        topics=tuple(dict.fromkeys(topic_of(e.event_type).name for e in RETURNING_EVENTS)),
        handler=returns_handler(store=deps.store, codec=codec, clock=deps.clock),
        tables=MetaData(),
    )
    return ServiceParts(name=NAME, http=app, consumers=[register, returns])
