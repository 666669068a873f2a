"""Wiring of the publicity service: public notice, objections and disclosure.

The one place its adapters are chosen; nothing here does I/O until the runtime starts it.
"""

from __future__ import annotations

from typing import Final

import services.publicity as package
from contracts.events import BeneficiaryRegistered
from contracts.topics import topic_of
from infra.http.app import service_app
from infra.service import ConsumerSpec, ServiceDeps, ServiceParts
from services.publicity.adapters.tables import TABLES
from services.publicity.application.village_register import on_beneficiary_registered
from services.publicity.entrypoints.http import router

NAME: Final = "publicity"


def build(deps: ServiceDeps) -> ServiceParts:
    """The publicity HTTP app and consumers."""
    app = service_app(NAME, deps, description=package.__doc__ or "")
    app.include_router(router)
    app.state.projections = deps.projections
    village_register = ConsumerSpec(
        name="publicity-village-register",
        topics=(topic_of(BeneficiaryRegistered.event_type).name,),
        handler=on_beneficiary_registered,
        tables=TABLES,
    )
    return ServiceParts(name=NAME, http=app, consumers=[village_register])
