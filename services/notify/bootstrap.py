"""Wiring of the notify service: SMS to beneficiaries and failure notices, through an outbox.

The one place its adapters are chosen; nothing here does I/O until the runtime starts it.
"""

from __future__ import annotations

from typing import Final

import services.notify as package
from infra.http.app import service_app
from infra.service import ServiceDeps, ServiceParts
from services.notify.entrypoints.http import router

NAME: Final = "notify"


def build(deps: ServiceDeps) -> ServiceParts:
    """The notify HTTP app and consumers."""
    app = service_app(NAME, deps, description=package.__doc__ or "")
    app.include_router(router)
    return ServiceParts(name=NAME, http=app)
