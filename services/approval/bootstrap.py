"""Wiring of the approval service: the approval chain with maker-checker separation.

The one place its adapters are chosen; nothing here does I/O until the runtime starts it.
"""

from __future__ import annotations

from typing import Final

import services.approval as package
from infra.http.app import service_app
from infra.service import ServiceDeps, ServiceParts
from services.approval.entrypoints.http import router

NAME: Final = "approval"


def build(deps: ServiceDeps) -> ServiceParts:
    """The approval HTTP app and consumers."""
    app = service_app(NAME, deps, description=package.__doc__ or "")
    app.include_router(router)
    return ServiceParts(name=NAME, http=app)
