"""Wiring of the payout service: payment instructions, bank results, re-issue and reconciliation.

The one place its adapters are chosen; nothing here does I/O until the runtime starts it.
"""

from __future__ import annotations

from typing import Final

import services.payout as package
from infra.http.app import service_app
from infra.service import ServiceDeps, ServiceParts
from services.payout.entrypoints.http import router

NAME: Final = "payout"


def build(deps: ServiceDeps) -> ServiceParts:
    """The payout HTTP app and consumers."""
    app = service_app(NAME, deps, description=package.__doc__ or "")
    app.include_router(router)
    return ServiceParts(name=NAME, http=app)
