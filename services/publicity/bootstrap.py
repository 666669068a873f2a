"""Wiring of the publicity service: public notice, objections and disclosure.

The one place its adapters are chosen; nothing here does I/O until the runtime starts it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

import services.publicity as package
from contracts.events import BeneficiaryRegistered
from contracts.topics import topic_of
from infra.eventcodec import EventCodec
from infra.http.app import service_app
from infra.service import ConsumerSpec, ServiceDeps, ServiceParts, Ticker
from infra.wiring import make_cipher
from services.publicity.adapters.rate_limit import ObjectionLimits
from services.publicity.adapters.tables import TABLES
from services.publicity.application.notice_board import NOTICE_EVENTS, notice_board_handler
from services.publicity.application.notice_clock import NoticeClock
from services.publicity.application.village_register import on_beneficiary_registered
from services.publicity.bootstrap_disclosure import chained, disclosure_parts
from services.publicity.domain.events import PUBLICITY_EVENTS
from services.publicity.entrypoints.http import PublicityApp, ReportingChannel, router
from services.publicity.entrypoints.http_board import router as board_router
from services.publicity.entrypoints.http_calendar import router as calendar_router
from services.publicity.entrypoints.http_objections import router as objections_router
from services.publicity.entrypoints.http_officials import router as officials_router

NAME: Final = "publicity"
CLOCK_EVERY: Final = timedelta(seconds=30)
"""How often the notice clock looks for notices to complete or to start."""


def build(deps: ServiceDeps) -> ServiceParts:
    """The publicity HTTP app, consumers and notice clock."""
    app = service_app(NAME, deps, description=package.__doc__ or "")
    for routes in (router, board_router, objections_router, calendar_router, officials_router):
        app.include_router(routes)
    cipher = make_cipher(deps.settings)
    codec = EventCodec(registry=PUBLICITY_EVENTS, cipher=cipher)
    reporting = ReportingChannel(
        deps.settings.notice_reporting_phone, deps.settings.notice_reporting_address
    )
    app.state.publicity = PublicityApp(
        store=deps.store,
        codec=codec,
        projections=deps.projections,
        clock=deps.clock,
        reporting=reporting,
        limits=ObjectionLimits.default(deps.clock),
    )
    disclosure = disclosure_parts(deps, app, codec=codec, cipher=cipher)
    village_register = ConsumerSpec(
        name="publicity-village-register",
        topics=(topic_of(BeneficiaryRegistered.event_type).name,),
        handler=chained(on_beneficiary_registered, disclosure.people),
        tables=TABLES,
    )
    notice_board = ConsumerSpec(
        name="publicity-notice-board",
        topics=tuple(dict.fromkeys(topic_of(event.event_type).name for event in NOTICE_EVENTS)),
        handler=notice_board_handler(store=deps.store, codec=codec),
        tables=TABLES,
    )
    notice_clock = NoticeClock(deps.store, codec, deps.projections, deps.clock)
    clock = Ticker(name="publicity-notice-clock", every=CLOCK_EVERY, run=notice_clock.tick)
    return ServiceParts(
        name=NAME,
        http=app,
        consumers=[village_register, notice_board, *disclosure.consumers],
        tickers=[clock, *disclosure.tickers],
    )
