"""Wiring of the approval service: the approval chain with maker-checker separation.

The one place its adapters are chosen; nothing here does I/O until the runtime starts it.
"""

from __future__ import annotations

from typing import Final

import services.approval as package
from contracts.topics import topic_of
from infra.eventcodec import EventCodec
from infra.http.app import service_app
from infra.service import ConsumerSpec, ServiceDeps, ServiceParts
from infra.wiring import make_cipher
from services.approval.adapters.tables import TABLES
from services.approval.application.intake import CONSUMED, intake_handler
from services.approval.domain.events import APPROVAL_EVENTS
from services.approval.entrypoints.http import ApprovalApp, router
from services.approval.entrypoints.http_chains import router as chains_router
from services.approval.entrypoints.http_work import router as work_router

NAME: Final = "approval"


def build(deps: ServiceDeps) -> ServiceParts:
    """The approval HTTP app, and its consumer: submissions and notice outcomes in (opening
    approvals), its own decisions and the calendars for the pending-work projection."""
    app = service_app(NAME, deps, description=package.__doc__ or "")
    app.include_router(router)
    app.include_router(work_router)
    app.include_router(chains_router)
    codec = EventCodec(registry=APPROVAL_EVENTS, cipher=make_cipher(deps.settings))
    app.state.approval = ApprovalApp(
        store=deps.store, codec=codec, projections=deps.projections, clock=deps.clock
    )
    intake = ConsumerSpec(
        name="approval-intake",
        topics=tuple(dict.fromkeys(topic_of(event.event_type).name for event in CONSUMED)),
        handler=intake_handler(store=deps.store, codec=codec, clock=deps.clock),
        tables=TABLES,
    )
    return ServiceParts(name=NAME, http=app, consumers=[intake])
