"""Wiring of the payout service: payment instructions, bank results, re-issue and the
year-end return.

The one place its adapters are chosen; nothing here does I/O until the runtime starts it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

import services.payout as package
from contracts.topics import topic_of
from infra.eventcodec import EventCodec
from infra.http.app import service_app
from infra.service import ConsumerSpec, ServiceDeps, ServiceParts, Ticker
from infra.wiring import make_cipher
from services.payout.adapters.tables import TABLES
from services.payout.application.intake import CONSUMED, intake_handler
from services.payout.application.overdue import OverdueAnswers
from services.payout.domain.events import PAYOUT_EVENTS
from services.payout.entrypoints.bank_http import mount_bank_api
from services.payout.entrypoints.http import PayoutApp, router
from services.payout.entrypoints.http_files import router as files_router
from services.payout.entrypoints.http_rows import router as rows_router

NAME: Final = "payout"
OVERDUE_EVERY: Final = timedelta(minutes=10)


def build(deps: ServiceDeps) -> ServiceParts:
    """The payout HTTP app, and its consumer: submitted rows, terms and approvals in (opening
    rounds and instructing their rows), its own events for the projection."""
    app = service_app(NAME, deps, description=package.__doc__ or "")
    app.include_router(router)
    app.include_router(rows_router)
    app.include_router(files_router)
    mount_bank_api(app, deps)
    cipher = make_cipher(deps.settings)
    codec = EventCodec(registry=PAYOUT_EVENTS, cipher=cipher)
    app.state.payout = PayoutApp(
        store=deps.store,
        codec=codec,
        cipher=cipher,
        projections=deps.projections,
        clock=deps.clock,
    )
    intake = ConsumerSpec(
        name="payout-intake",
        topics=tuple(dict.fromkeys(topic_of(event.event_type).name for event in CONSUMED)),
        handler=intake_handler(store=deps.store, codec=codec, cipher=cipher),
        tables=TABLES,
    )
    overdue = OverdueAnswers(deps.store, codec, cipher, deps.projections, deps.clock)
    ticker = Ticker(name="payout-overdue-answers", every=OVERDUE_EVERY, run=overdue.tick)
    return ServiceParts(name=NAME, http=app, consumers=[intake], tickers=[ticker])
